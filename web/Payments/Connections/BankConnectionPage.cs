using System.Globalization;
using System.Text.Json;
using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments;
using Cho40.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Payments.Connections;

/// <summary>Whose account a connection page is about: a stall (its keepers) or the platform's collection account (admins).</summary>
public sealed record ConnectionOwner(long? StallId, string Title, string AccountNumber, string? VirtualAccount, string BackUrl, string BackLabel);

/// <summary>
/// The "Kết nối ngân hàng" page of one account (a stall's, <c>/Stall/{id}/Bank</c>; the collection account's,
/// <c>/Admin/BankConnection</c>): choose the service, see the exact values to enter in its dashboard, enter the keys the
/// service makes, "Kiểm tra kết nối" (waits for the service's test delivery: the page reloads itself without
/// JavaScript and updates live with it), rotate or revoke keys, give an API token for the safety net. Every POST ends in
/// a redirect; keys the platform made are shown once, right after (TempData, encrypted like every cookie).
/// </summary>
public abstract class BankConnectionPage(BankConnections connections, BankConnectionSetup setup, PaymentsOptions options, TimeProvider time,
    Cho40Options siteOptions, IStringLocalizer<SharedResource> t) : PageModel
{
    protected IStringLocalizer<SharedResource> T => t;

    public ConnectionOwner Owner { get; private set; } = null!;
    public BankConnection? Connection { get; private set; }
    public IReadOnlyList<BankConnection> History { get; private set; } = [];
    public IReadOnlyList<SecretInfo> Secrets { get; private set; } = [];
    public IReadOnlyList<ConnectionDelivery> Deliveries { get; private set; } = [];
    public IReadOnlyList<ShownSecret> Shown { get; private set; } = [];
    public PaymentsOptions Options => options;

    /// <summary>"Kiểm tra kết nối" started at this instant (?check=unix seconds): the page waits for a delivery after it.</summary>
    public DateTimeOffset? CheckSince { get; private set; }

    [BindProperty] public string? Provider { get; set; }
    [BindProperty] public string? AuthMode { get; set; }
    [BindProperty] public string? ServiceKey { get; set; }
    [BindProperty] public string? PayOsClientId { get; set; }
    [BindProperty] public string? PayOsApiKey { get; set; }
    [BindProperty] public string? PayOsChecksumKey { get; set; }
    [BindProperty] public string? SyncApi { get; set; }
    [BindProperty] public string? ApiToken { get; set; }

    /// <summary>The owner the signed-in person may manage, or null (the page answers 404).</summary>
    protected abstract Task<ConnectionOwner?> OwnerAsync(CancellationToken cancellationToken);

    /// <summary>The site's public address + path: what the service must call (never the request's Host header when configured).</summary>
    public string PublicUrl(string path) => PublicBaseUrl.Of(Request, siteOptions) + path;

    public bool Flagged => Connection is { SyncFailures: var f } && f >= options.SyncFailuresToFlag;

    /// <summary>What arrived since "Kiểm tra kết nối" was pressed: the test delivery, or any authenticated delivery.</summary>
    public (bool Test, DateTimeOffset At)? Arrived =>
        Connection is null || CheckSince is not { } since ? null
        : Connection.LastTestAt is { } test && test >= since ? (true, test)
        : Connection.LastDeliveryAt is { } any && any >= since ? (false, any)
        : null;

    public async Task<IActionResult> OnGetAsync(long? check, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (check is { } seconds) CheckSince = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (TempData["BankConnectionShown"] is string json) Shown = JsonSerializer.Deserialize<List<ShownSecret>>(json) ?? [];
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    /// <summary>The connection's delivery times as JSON, for the page's live check (same access rule as the page).</summary>
    public async Task<IActionResult> OnGetStatusAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        Response.Headers.CacheControl = "no-store";
        return new JsonResult(new
        {
            lastTestAt = Connection?.LastTestAt?.ToUnixTimeSeconds(),
            lastDeliveryAt = Connection?.LastDeliveryAt?.ToUnixTimeSeconds(),
            lastTestText = Connection?.LastTestAt is { } test ? Formatting.VietnamDateTime(test) : null,
            lastDeliveryText = Connection?.LastDeliveryAt is { } any ? Formatting.VietnamDateTime(any) : null,
        });
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (Connection is not null)
        {
            TempData["Message"] = t["Tài khoản này đã có một kết nối đang hoạt động. Hãy ngắt kết nối đó trước khi chọn dịch vụ khác."].Value;
            return RedirectToPage();
        }
        var provider = Provider is { Length: > 0 } chosen ? chosen : BankConnectionSetup.ProviderOf(AuthMode);
        if (!BankConnectionSetup.ModesOf(provider).Contains(AuthMode ?? ""))
            ModelState.AddModelError(nameof(AuthMode),
                t["Hãy chọn dịch vụ (SePay, Casso hoặc payOS) và một cách xác thực mà dịch vụ đó có (không có lựa chọn “không xác thực”)."]);
        if (!ModelState.IsValid) return Page();
        var (created, shown) = await setup.CreateAsync(Owner.StallId, provider, AuthMode!, User.UserId(), cancellationToken);
        if (created is null)
        {
            TempData["Message"] = t["Tài khoản này đã có một kết nối đang hoạt động."].Value;
            return RedirectToPage();
        }
        KeepShown(shown);
        TempData["Message"] = t["Đã tạo kết nối. Hãy nhập các thông tin dưới đây vào trang quản trị của dịch vụ."].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRotateAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (Connection is null || BankConnectionSetup.GeneratedSecretOf(Connection.AuthMode) is null) return RedirectToPage();
        KeepShown(await setup.RotateAsync(Connection, cancellationToken));
        TempData["Message"] = t["Đã tạo khoá mới. Khoá cũ vẫn dùng được thêm {0} giờ: hãy thay khoá trong trang của dịch vụ trước lúc đó.",
            options.SecretGraceHours].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (Connection is not null && await setup.RevokeAsync(Connection, User.UserId(), cancellationToken))
            TempData["Message"] = t["Đã ngắt kết nối: địa chỉ nhận và các khoá của nó không còn dùng được. Hãy xoá webhook trong trang của dịch vụ."].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostServiceKeyAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (Connection is null) return RedirectToPage();
        var key = (ServiceKey ?? "").Trim();
        if (key.Length is < 8 or > 200 || key.Any(char.IsWhiteSpace))
        {
            ModelState.AddModelError(nameof(ServiceKey), t["Dán nguyên khoá dịch vụ hiển thị (8–200 ký tự, không có dấu cách)."]);
            return Page();
        }
        await setup.SetServiceKeyAsync(Connection, key, cancellationToken);
        TempData["Message"] = t["Đã lưu khoá của dịch vụ."].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostPayOsKeysAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (Connection is not { Provider: "payos" }) return RedirectToPage();
        foreach (var (field, value) in new[] { (nameof(PayOsClientId), PayOsClientId), (nameof(PayOsApiKey), PayOsApiKey), (nameof(PayOsChecksumKey), PayOsChecksumKey) })
        {
            var v = (value ?? "").Trim();
            if (v.Length is < 8 or > 200 || v.Any(char.IsWhiteSpace))
                ModelState.AddModelError(field, t["Dán nguyên giá trị payOS hiển thị (8–200 ký tự, không có dấu cách)."]);
        }
        if (!ModelState.IsValid) return Page();
        await setup.SetPayOsKeysAsync(Connection, PayOsClientId!, PayOsApiKey!, PayOsChecksumKey!, cancellationToken);
        TempData["Message"] = t["Đã lưu Client ID, Api Key và Checksum Key của payOS."].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostApiTokenAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (Connection is null) return RedirectToPage();
        var token = (ApiToken ?? "").Trim();
        if (!BankConnectionSetup.SyncApisOf(Connection.Provider).Contains(SyncApi ?? ""))
            ModelState.AddModelError(nameof(SyncApi), t["Hãy chọn phiên bản API của dịch vụ."]);
        if (token.Length is < 8 or > 300 || token.Any(char.IsWhiteSpace))
            ModelState.AddModelError(nameof(ApiToken), t["Dán nguyên API token dịch vụ cấp (8–300 ký tự, không có dấu cách)."]);
        if (!ModelState.IsValid) return Page();
        await setup.SetApiTokenAsync(Connection, SyncApi!, token, cancellationToken);
        TempData["Message"] = t["Đã lưu API token: Chợ 4.0 sẽ đối soát giao dịch của tài khoản mỗi {0} phút.", options.SyncMinutes].Value;
        return RedirectToPage();
    }

    /// <summary>"Kiểm tra kết nối" for payOS: the platform asks payOS to confirm the address, and payOS sends its test delivery.</summary>
    public async Task<IActionResult> OnPostConfirmPayOsAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken)) return NotFound();
        if (Connection is not { Provider: "payos" }) return RedirectToPage();
        var since = time.GetUtcNow().ToUnixTimeSeconds();
        var error = await setup.ConfirmPayOsWebhookAsync(Connection, PublicUrl(Connection.WebhookPath), cancellationToken);
        TempData["Message"] = error ?? t["payOS đã nhận địa chỉ; đang chờ thư thử của payOS."].Value;
        return RedirectToPage(new { check = since });
    }

    private void KeepShown(IReadOnlyList<ShownSecret> shown)
    {
        if (shown.Count > 0) TempData["BankConnectionShown"] = JsonSerializer.Serialize(shown);
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(cancellationToken);
        if (owner is null) return false;
        Owner = owner;
        Connection = await connections.ActiveAsync(owner.StallId, cancellationToken);
        History = (await connections.HistoryAsync(owner.StallId, cancellationToken)).Where(c => !c.IsActive).ToList();
        if (Connection is not null)
        {
            Secrets = await setup.DescribeAsync(Connection, cancellationToken);
            Deliveries = await connections.RecentDeliveriesAsync(Connection.Id, 5, cancellationToken);
        }
        return true;
    }

    /// <summary>Unix seconds now: the "Kiểm tra kết nối" link waits for deliveries after it.</summary>
    public long NowSeconds => time.GetUtcNow().ToUnixTimeSeconds();

    public static string Seconds(long value) => value.ToString(CultureInfo.InvariantCulture);
}
