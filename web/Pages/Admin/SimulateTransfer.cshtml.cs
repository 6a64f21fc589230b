using System.ComponentModel.DataAnnotations;
using Cho40.Db;
using Cho40.Jobs.Payments;
using Cho40.Jobs.Payments.Providers;
using Cho40.Web.Pages.Shop;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Npgsql;

namespace Cho40.Web.Pages.Admin;

/// <summary>A working connection the admin may simulate a delivery for, with the account it watches.</summary>
public sealed record SimulatedConnection(long Id, string Provider, string AuthMode, string Label, string AccountNumber);

/// <summary>
/// "Giả lập chuyển khoản": the body a connection's service would send, signed with that connection's current key (an
/// OAuth connection gets a fresh access token), through PaymentIntake — the exact path of a real delivery.
/// </summary>
public sealed class SimulateTransferModel(PaymentIntake intake, BankConnections connections, NpgsqlDataSource db, CollectionAccount collection,
    TimeProvider time, IStringLocalizer<SharedResource> t) : PageModel
{
    [BindProperty]
    public SimulateInput Input { get; set; } = new();

    public IReadOnlyList<SimulatedConnection> Connections { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Connections = await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Connections = await LoadAsync(cancellationToken);
        var chosen = Connections.FirstOrDefault(c => c.Id == Input.ConnectionId);
        if (chosen is null) ModelState.AddModelError("Input.ConnectionId", t["Hãy chọn một kết nối ngân hàng đang hoạt động."]);
        var account = new string((Input.AccountNumber ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray());
        if (account.Length == 0 && chosen is not null) account = chosen.AccountNumber;
        if (account.Length > 19 || !account.All(char.IsAsciiLetterOrDigit))
            ModelState.AddModelError("Input.AccountNumber", t["Số tài khoản gồm chữ số và chữ cái, tối đa 19 ký tự."]);
        var amount = Infrastructure.MoneyInput.Read(Input.Amount, Db.Domain.MoneyField.StallPayment, t, out var amountError);
        if (amount is null) ModelState.AddModelError("Input.Amount", amountError!);
        if (!Enum.TryParse<BodyFormat>(Input.Format, ignoreCase: true, out var format) || (format != BodyFormat.Json && chosen?.Provider != "sepay"))
            ModelState.AddModelError("Input.Format", t["Chỉ SePay gửi được dạng form; Casso và payOS gửi JSON."]);
        if (!ModelState.IsValid) return Page();

        var connection = (await connections.FindAsync(chosen!.Id, cancellationToken))!;
        var id = string.IsNullOrWhiteSpace(Input.TransactionId)
            ? time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
            : Input.TransactionId.Trim();
        var result = await intake.SimulateAsync(connection, new SimulatedTransfer(id, account, amount!.Value, Input.Content ?? "", time.GetUtcNow()),
            format, cancellationToken);
        TempData["Message"] = result.Status == IntakeStatus.Accepted
            ? t["Đã gửi giao dịch {0}: {1} mới, {2} trùng, {3} không phải tiền.", id, result.NewTransfers, result.Duplicates, result.Invalid].Value
            : t["Không nhận: {0} ({1}).", result.Status.ToString(), result.Reason ?? ""].Value;
        return RedirectToPage("/Admin/SimulateTransfer");
    }

    private async Task<IReadOnlyList<SimulatedConnection>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<SimulatedConnection>(new CommandDefinition("""
            SELECT c.id, c.provider, c.auth_mode AS AuthMode,
                   COALESCE(m.name || ' · ' || s.stall_number || ' ' || s.name, '') AS Label, COALESCE(a.account_number, '') AS AccountNumber
            FROM bank_connections c
            LEFT JOIN stalls s ON s.id = c.stall_id
            LEFT JOIN markets m ON m.id = s.market_id
            LEFT JOIN stall_bank_accounts a ON a.stall_id = c.stall_id
            WHERE c.status = 'active'
            ORDER BY c.stall_id NULLS FIRST, c.id
            LIMIT 200
            """, cancellationToken: cancellationToken))).AsList();
        return rows.Select(r => r.Label.Length == 0 ? r with { Label = t["Tài khoản thu của Chợ 4.0"], AccountNumber = collection.AccountNumber } : r).ToList();
    }
}

public sealed class SimulateInput
{
    public long ConnectionId { get; set; }

    /// <summary>Empty: the account the connection watches.</summary>
    public string? AccountNumber { get; set; }

    public string? Amount { get; set; } = "50.000";

    [StringLength(200, ErrorMessage = "Nội dung tối đa {1} ký tự.")]
    public string? Content { get; set; }

    public string? TransactionId { get; set; }

    public string Format { get; set; } = "Json";
}
