using System.Net;
using Cho40.Db;
using Cho40.Jobs.Settlement;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Catalog;
using Cho40.Tests.Settlement;
using Cho40.Web.Catalog;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SkiaSharp;

namespace Cho40.Tests.Security;

/// <summary>The people of the security tests. "A" attacks, "B" (and the stall owner) own the target data.</summary>
public enum Role { Anonymous, Shopper, Stallholder, StallOwner, Helper, SellerA, SellerB, Manager, ProvinceViewer, Admin }

/// <summary>
/// The demo app plus a second tenant's worth of private data, each piece carrying a marker text that only its
/// owners may ever see: <see cref="SellerMark"/> (seller B = HTX Chè Tân Cương: a draft product, an order, the
/// payout account), <see cref="StallMark"/> (the account holder of stall A01 at Chợ Thái, owner 0900000004, set up by
/// helper 0900000005 — not its goods or name: those are on the market's public page)
/// and <see cref="MarketMark"/> (a transfer in the inbox of Chợ Đồng Quang, which the demo manager does not manage).
/// </summary>
public sealed class SecurityWorld : IAsyncLifetime
{
    public const string SellerMark = "Zq7SellerB";
    public const string StallMark = "ZQ7STALLA01";
    public const string MarketMark = "Zq7MarketY";
    public const string StallholderPhone = "0911222333";

    public static readonly IReadOnlyDictionary<Role, string> Phones = new Dictionary<Role, string>
    {
        [Role.Shopper] = "0900000006", [Role.Stallholder] = StallholderPhone, [Role.StallOwner] = "0900000004",
        [Role.Helper] = "0900000005", [Role.SellerA] = "0900000007", [Role.SellerB] = "0900000003",
        [Role.Manager] = "0900000002", [Role.ProvinceViewer] = "0900000008", [Role.Admin] = "0900000001",
    };

    /// <summary>Which markers each role may legitimately see (admins see everything; the manager manages Chợ Thái).</summary>
    public static readonly IReadOnlyDictionary<Role, string[]> Visible = new Dictionary<Role, string[]>
    {
        [Role.Anonymous] = [], [Role.Shopper] = [], [Role.Stallholder] = [], [Role.SellerA] = [], [Role.ProvinceViewer] = [],
        [Role.StallOwner] = [StallMark], [Role.Helper] = [StallMark], [Role.Manager] = [StallMark],
        [Role.SellerB] = [SellerMark], [Role.Admin] = [SellerMark, StallMark, MarketMark],
    };

    public static readonly string[] AllMarks = [SellerMark, StallMark, MarketMark];

    public Cho40App App { get; private set; } = null!;
    public Dictionary<string, string> Ids { get; } = new();
    public Dictionary<Role, PageClient> Clients { get; } = new();

    public async Task InitializeAsync()
    {
        App = await Cho40App.StartAsync(settings: new Dictionary<string, string>
        {
            ["Cho40:SignInAttemptsPerMinute"] = "10000", // the sweep probes every endpoint as every role: limits are tested on their own
            ["Cho40:WebhookFailuresPerMinute"] = "10000",
        });
        await using var db = new NpgsqlConnection(App.ConnectionString);
        await db.OpenAsync();
        var now = App.Clock.GetUtcNow();

        // Settlement: a COD statement and a run that pays both cooperatives.
        var scenario = await SettlementScenario.CreateAsync(App);
        var run = await App.Services.GetRequiredService<SettleCycleJob>().RunAsync(scenario.Cycle.Key);
        Ids["run"] = run.RunId.ToString();
        Ids["statement"] = (await db.ExecuteScalarAsync<long>("SELECT max(id) FROM cod_statements")).ToString();
        // A statement file waiting for its carrier's mapping, and a carrier account.
        Ids["upload"] = (await db.ExecuteScalarAsync<long>("""
            INSERT INTO cod_uploads (carrier, file_name, content, uploaded_at) VALUES ('J&T Express', 'jt.csv', convert_to('a,b,c', 'UTF8'), @now) RETURNING id
            """, new { now })).ToString();
        Ids["carrierAccount"] = (await App.Services.GetRequiredService<Cho40.Db.Shipments>().CreateAccountAsync("ghn", "GHN sweep", "sweep-secret-0123456789", null, now)).ToString();
        Ids["sellerB"] = scenario.TanCuong.ToString();
        Ids["sellerA"] = scenario.LaBang.ToString();
        await db.ExecuteAsync("""
            INSERT INTO seller_payout_accounts (seller_id, bank_bin, account_number, account_name, updated_at)
            VALUES (@id, '970436', '0011004455667', 'HTX Zq7SellerB', @now)
            """, new { id = scenario.TanCuong, now });

        // Seller B: a draft product with a photo, an order, a trace batch.
        var userB = await db.ExecuteScalarAsync<long>("SELECT id FROM users WHERE phone = @p", new { p = Phones[Role.SellerB] });
        var (productId, draftSlug) = await db.QuerySingleAsync<(long, string)>("""
            UPDATE products SET name = 'Chè thử ' || @mark, status = 'draft'
            WHERE id = (SELECT max(id) FROM products WHERE seller_id = @seller) RETURNING id, slug
            """, new { mark = SellerMark, seller = scenario.TanCuong });
        Ids["product"] = productId.ToString();
        Ids["draftSlug"] = draftSlug;
        var photo = await ProductPhotos.InspectAsync(CatalogTestKit.Image(SKEncodedImageFormat.Png, 300, 200));
        var imageId = await App.Services.GetRequiredService<Cho40.Db.CatalogPhotos>().AddImageAsync(new SellerScope(scenario.TanCuong, userB), productId, photo.Blob!);
        Ids["image"] = imageId!.Value.ToString();
        Ids["publishedSlug"] = await db.ExecuteScalarAsync<string>(
            "SELECT slug FROM products WHERE seller_id = @seller AND status = 'published' ORDER BY id LIMIT 1", new { seller = scenario.TanCuong }) ?? "";
        var (orderId, orderToken, groupToken) = await db.QuerySingleAsync<(long, string, string)>("""
            UPDATE orders o SET customer_name = 'Khách ' || @mark
            WHERE o.id = (SELECT id FROM orders WHERE seller_id = @seller AND status = 'placed' ORDER BY id LIMIT 1)
            RETURNING o.id, o.access_token, (SELECT g.access_token FROM checkout_groups g WHERE g.id = o.checkout_group_id)
            """, new { mark = SellerMark, seller = scenario.TanCuong });
        Ids["order"] = orderId.ToString();
        Ids["orderToken"] = orderToken;
        Ids["groupToken"] = groupToken;
        Ids["batch"] = (await db.ExecuteScalarAsync<long>("SELECT id FROM trace_batches WHERE code = 'TCDB25AQ'")).ToString();

        // Stall A01 (owner 0900000004) and a payment request on it.
        var stallId = await db.ExecuteScalarAsync<long>("""
            UPDATE stall_bank_accounts b SET account_holder = 'LE THI HOA ' || @mark FROM stalls s JOIN markets m ON m.id = s.market_id
            WHERE s.id = b.stall_id AND m.slug = 'cho-thai' AND s.stall_number = 'A01' RETURNING s.id
            """, new { mark = StallMark });
        Ids["stall"] = stallId.ToString();
        Ids["request"] = (await db.ExecuteScalarAsync<long>("""
            INSERT INTO payment_requests (stall_id, reference, amount_vnd, payload, created_at, expires_at)
            VALUES (@stallId, 'ZQ7ABC', 50000, '000201010212', @now, @now + interval '15 minutes') RETURNING id
            """, new { stallId, now })).ToString();

        // Market Y (Chợ Đồng Quang, not managed by the demo manager): a transfer waiting in its inbox.
        var marketY = await db.ExecuteScalarAsync<long>("SELECT id FROM markets WHERE slug = 'cho-dong-quang'");
        Ids["market"] = marketY.ToString();
        await db.ExecuteAsync("""
            INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder)
            SELECT min(id), '970436', '0011007777666', 'TRAN VAN Y' FROM stalls WHERE market_id = @marketY
            """, new { marketY });
        Ids["inboxItem"] = (await db.ExecuteScalarAsync<long>("""
            WITH n AS (INSERT INTO bank_notifications (provider, raw_body, received_at, status) VALUES ('sepay', '{}', @now, 'processed') RETURNING id),
                 t AS (INSERT INTO provider_transactions (provider, provider_txn_id, notification_id, account_number, amount_vnd, content, transaction_time, received_at)
                       SELECT 'sepay', 'zq7-market-y', n.id, '0011009999888', 70000, 'CK ' || @mark, @now, @now FROM n RETURNING id)
            INSERT INTO payment_inbox (provider_transaction_id, reason, stall_id, created_at)
            SELECT t.id, 'unmatched', (SELECT min(id) FROM stalls WHERE market_id = @marketY), @now FROM t RETURNING id
            """, new { now, mark = MarketMark, marketY })).ToString();

        // Yesterday's daily reports (every stall, seller and market), so report pages and downloads have a day to show.
        await App.Services.GetRequiredService<Cho40.Db.ReportComputation>().ComputeDayAsync(
            Cho40.Db.Domain.VietnamTime.DayOf(now).AddDays(-1), now, TimeSpan.Zero);

        // A second stallholder with a stall of their own in another market (the attacker of stall A01).
        foreach (var role in Enum.GetValues<Role>())
        {
            var client = App.NewClient();
            Clients[role] = client;
            if (role == Role.Stallholder)
            {
                var signedUp = await client.SubmitFormAsync("/Account/SignUp", "main form", new Dictionary<string, string>
                {
                    ["Input.DisplayName"] = "Tiểu thương khác", ["Input.Phone"] = StallholderPhone,
                    ["Input.Password"] = OtherStallholderPassword, ["Input.ConfirmPassword"] = OtherStallholderPassword,
                });
                if (signedUp.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException("sign-up failed");
                await db.ExecuteAsync("""
                    INSERT INTO user_roles (user_id, role) SELECT id, 'stallholder' FROM users WHERE phone = @phone;
                    INSERT INTO stalls (market_id, stall_number, name, goods, owner_user_id, created_by_user_id)
                    SELECT m.id, 'Z99', 'Sạp của người khác', 'Đồ khô', u.id, u.id FROM markets m, users u
                    WHERE m.slug = 'cho-dai-tu' AND u.phone = @phone;
                    """, new { phone = StallholderPhone });
            }
            if (role == Role.Stallholder) await client.SignInAsync(Phones[role], OtherStallholderPassword);
            else if (role != Role.Anonymous) await client.SignInAsync(Phones[role]);
        }
    }

    /// <summary>The other stallholder signs up through the real page (the published demo password is refused there).</summary>
    private const string OtherStallholderPassword = "sap-z99-rieng-tu";

    /// <summary>Fills {name} placeholders of a URL template with this world's ids.</summary>
    public string Fill(string template)
    {
        var result = template;
        foreach (var (name, value) in Ids) result = result.Replace("{" + name + "}", Uri.EscapeDataString(value));
        if (result.Contains('{')) throw new InvalidOperationException($"unfilled placeholder in {template}");
        return result;
    }

    /// <summary>The antiforgery token of this client's own session (every page's layout carries one).</summary>
    public static async Task<string> TokenAsync(PageClient client)
    {
        var (_, page) = await client.GetPageAsync("/Account/SignIn");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value");
        if (token is null) (_, page) = await client.GetPageAsync("/");
        return token ?? page.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? throw new InvalidOperationException("no antiforgery token");
    }

    /// <summary>A fingerprint of every table people's data lives in (reference data and the key ring left out).</summary>
    public async Task<Dictionary<string, string>> FingerprintAsync()
    {
        await using var db = new NpgsqlConnection(App.ConnectionString);
        var tables = (await db.QueryAsync<string>("""
            SELECT tablename FROM pg_tables WHERE schemaname = 'public'
              AND tablename NOT IN ('provinces', 'communes', 'data_protection_keys', 'schemaversions', 'users')
              AND tablename NOT LIKE 'trace_%scans'
            ORDER BY tablename
            """)).ToList();
        var sql = string.Join(" UNION ALL ", tables.Select(t =>
            $"SELECT '{t}' AS name, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS hash FROM \"{t}\" x"));
        return (await db.QueryAsync<(string Name, string Hash)>(sql)).ToDictionary(r => r.Name, r => r.Hash);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients.Values) client.Dispose();
        await App.DisposeAsync();
    }
}
