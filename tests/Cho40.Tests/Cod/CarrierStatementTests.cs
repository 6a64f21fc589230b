using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Cod;
using Cho40.Tests.Infrastructure;
using Dapper;
using MiniExcelLibs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Cod;

/// <summary>Statements of any carrier: a mapping proposed, corrected and reused; status words mapped once; Viettel Post's numbers.</summary>
public sealed class CarrierStatementTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;
    private CodStatements Statements => App.Services.GetRequiredService<CodStatements>();
    private DateTimeOffset Now => App.Clock.GetUtcNow();

    /// <summary>A carrier name of this test's own: no other test's confirmed mapping or words apply to it.</summary>
    private static string NewCarrier(string name) => name + " " + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task An_unknown_carriers_columns_are_corrected_once_its_words_mapped_once_and_the_next_file_asks_only_about_a_new_word()
    {
        var carrier = NewCarrier("J&T");
        var (a, b, c) = (NewTracking("JT"), NewTracking("JT"), NewTracking("JT"));
        // Columns no alias knows ("Billcode", "Tình trạng") and some it does; words of the carrier's own.
        var file = Csv("Billcode,Mã đơn hàng,Tiền thu hộ,Cước,Tình trạng,Ngày ký nhận",
            $"{a},DH-7KQ3XM,150000,20000,Ký nhận,10/11/2026",
            $"{b},,0,20000,Hoàn thành công,",
            $"{c},,0,20000,damage,");
        var first = await Statements.ImportAsync(carrier, "jt.csv", file, null, Now);
        Assert.Equal(CodImportStatus.NeedsMapping, first.Status);
        var p = first.Proposal!;
        // Proposed from aliases: the order code and COD columns; the tracking code and status are not recognised.
        Assert.Equal(1, p.Columns[CodField.OrderCode]);
        Assert.Equal(2, p.Columns[CodField.Cod]);
        Assert.False(p.Columns.ContainsKey(CodField.TrackingCode));
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_statement_lines WHERE tracking_code = @a", new { a }));

        // The admin corrects it: Billcode is the tracking code, Cước the shipping fee, Tình trạng the status.
        var headers = new Dictionary<CodField, string>
        {
            [CodField.TrackingCode] = "Billcode", [CodField.OrderCode] = "Mã đơn hàng", [CodField.Cod] = "Tiền thu hộ",
            [CodField.ShippingFee] = "Cước", [CodField.Status] = "Tình trạng", [CodField.DeliveredOn] = "Ngày ký nhận",
        };
        // Saving the columns alone: the words are still asked about, the file still waits.
        await Statements.SaveSettingsAsync(carrier, headers, new Dictionary<string, string>(), null, Now);
        var again = (await Statements.ImportUploadAsync(first.UploadId!.Value, null, Now))!;
        Assert.Equal(CodImportStatus.NeedsMapping, again.Status);
        Assert.Equal(["ky nhan", "hoan thanh cong", "damage"], again.Proposal!.StatusWords);
        Assert.Empty(again.Proposal.KnownStatuses);

        await Statements.SaveSettingsAsync(carrier, null, new Dictionary<string, string>
        {
            ["ky nhan"] = CodLineStatus.Delivered, ["hoan thanh cong"] = CodLineStatus.Returned, ["damage"] = CodLineStatus.Lost,
        }, null, Now);
        var imported = (await Statements.ImportUploadAsync(first.UploadId.Value, null, Now))!;
        Assert.True(imported.Status == CodImportStatus.Imported, string.Join("\n", imported.Errors));
        var lines = await Statements.LinesAsync(imported.StatementId!.Value);
        Assert.Equal([(a, "delivered", "Ký nhận", 20_000L), (b, "returned", "Hoàn thành công", 20_000), (c, "lost", "damage", 20_000)],
            lines.Select(l => (l.TrackingCode, l.Status, l.CarrierStatus!, l.ShippingFeeVnd)));

        // Next week: same columns, known words → imported at once; a new word → asked about (only it), nothing stored meanwhile.
        var d = NewTracking("JT");
        var week2 = await Statements.ImportAsync(carrier, "jt2.csv", Csv("Billcode,Mã đơn hàng,Tiền thu hộ,Cước,Tình trạng,Ngày ký nhận",
            $"{d},,90000,20000,KÝ NHẬN,12/11/2026"), null, Now);
        Assert.Equal(CodImportStatus.Imported, week2.Status);
        var e = NewTracking("JT");
        var week3 = await Statements.ImportAsync(carrier, "jt3.csv", Csv("Billcode,Mã đơn hàng,Tiền thu hộ,Cước,Tình trạng,Ngày ký nhận",
            $"{e},,60000,20000,Phát một phần,13/11/2026"), null, Now);
        Assert.Equal(CodImportStatus.NeedsMapping, week3.Status);
        Assert.Equal(["phat mot phan"], week3.Proposal!.StatusWords.Where(w => !week3.Proposal.KnownStatuses.ContainsKey(w)));
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_statement_lines WHERE tracking_code = @e", new { e }));
    }

    [Fact]
    public async Task Viettel_posts_all_digit_numbers_from_excel_and_numeric_statuses_are_read_once_mapped()
    {
        var carrier = NewCarrier("VTP");
        var n1 = 1_000_000_000_000L + Random.Shared.NextInt64(1, 999_999_999_999);
        var n2 = n1 + 1;
        var xlsx = Xlsx(null, ["ORDER_NUMBER", "ORDER_REFERENCE", "MONEY_COLLECTION", "MONEY_FEECOD", "ORDER_STATUS", "Ngày phát"],
            [(double)n1, "DH-7KQ3XM", 250000, 5000, 501, new DateTime(2026, 11, 10)],
            [(double)n2, "", 0, 0, 504, null]);
        var first = await Statements.ImportAsync(carrier, "vtp.xlsx", xlsx, null, Now);
        Assert.Equal(CodImportStatus.NeedsMapping, first.Status);
        var p = first.Proposal!;
        Assert.Equal(0, p.Columns[CodField.TrackingCode]);
        Assert.Equal(4, p.Columns[CodField.Status]);
        Assert.Equal(["501", "504"], p.StatusWords);

        await Statements.SaveSettingsAsync(carrier, p.Columns.ToDictionary(c => c.Key, c => p.Headers[c.Value]),
            new Dictionary<string, string> { ["501"] = CodLineStatus.Delivered, ["504"] = CodLineStatus.Returned }, null, Now);
        var imported = (await Statements.ImportUploadAsync(first.UploadId!.Value, null, Now))!;
        Assert.True(imported.Status == CodImportStatus.Imported, string.Join("\n", imported.Errors));
        var lines = await Statements.LinesAsync(imported.StatementId!.Value);
        Assert.Equal([(n1.ToString(), "delivered", 250_000L, 5_000L), (n2.ToString(), "returned", 0, 0)],
            lines.Select(l => (l.TrackingCode, l.Status, l.CodVnd, l.CodFeeVnd)));

        // A number Excel wrote as 1.00001E+12 cannot be an order number: refused with the row and what to do.
        var refused = await Statements.ImportAsync(carrier, "vtp.csv", Csv("ORDER_NUMBER,ORDER_REFERENCE,MONEY_COLLECTION,MONEY_FEECOD,ORDER_STATUS,Ngày phát",
            "1.00001E+12,,1000,0,501,10/11/2026"), null, Now);
        Assert.Equal(CodImportStatus.Rejected, refused.Status);
        Assert.Contains("số mũ", Assert.Single(refused.Errors));
    }

    [Fact]
    public async Task Session_level_fees_and_refunds_on_their_own_sheets_post_to_the_ledger_once_and_show_on_the_statement()
    {
        var carrier = NewCarrier("GHN phiên");
        var t = NewTracking();
        using var stream = new MemoryStream();
        stream.SaveAs(new Dictionary<string, object>
        {
            ["Đối soát"] = new[] { CanonicalRow(CodStatementFormats.CanonicalHeaders), CanonicalRow([t, "", "100000", "20000", "1000", "0", "Đã giao", "10/11/2026", ""]) },
            ["TẠM THU"] = new[] { Row2("Nội dung", "Số tiền"), Row2("Phí lưu kho tháng 11", "35000"), Row2("Phí in vận đơn", "5000") },
            ["ĐÃ HOÀN"] = new[] { Row2("Nội dung", "Số tiền"), Row2("Hoàn phí tạm thu tháng 10", "12000") },
        }, printHeader: false);
        var result = await Statements.ImportAsync(carrier, "phien.xlsx", stream.ToArray(), null, Now);
        Assert.True(result.Status == CodImportStatus.Imported, result.Status + string.Join("\n", result.Errors));
        var id = result.StatementId!.Value;
        Assert.Equal([("fee", 35_000L), ("fee", 5_000), ("refund", 12_000)],
            (await Statements.AdjustmentsAsync(id)).Select(x => (x.Kind, x.AmountVnd)));

        var job = App.Services.GetRequiredService<ReconcileCodStatementJob>();
        await job.RunAsync(id);
        await job.RunAsync(id);
        var ledger = App.Services.GetRequiredService<Ledger>();
        // Fees 40,000 less refund 12,000: the platform's cost; the bank received that much less.
        Assert.Equal(28_000L, await ledger.BalanceAsync(Ledger.CarrierAdjustments(carrier)));
        Assert.Equal(3L, await ScalarAsync<long>(App, "SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE @k", new { k = $"carrier-adjustment:statement:{id}:%" }));
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT coalesce(sum(amount_vnd), 0) FROM ledger_entries"));

        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var (_, page) = await admin.GetPageAsync($"/Admin/Cod/Statement/{id}");
        var table = page.QuerySelector("table.cod-adjustments")!.TextContent;
        Assert.Contains("Phí lưu kho tháng 11", table);
        Assert.Contains("Hoàn phí tạm thu tháng 10", table);
    }

    private static Dictionary<string, object?> CanonicalRow(string[] cells) =>
        cells.Select((c, i) => (((char)('A' + i)).ToString(), (object?)c)).ToDictionary(x => x.Item1, x => x.Item2);

    private static Dictionary<string, object?> Row2(string a, string b) => new() { ["A"] = a, ["B"] = b };
}

/// <summary>A partial delivery from the carrier's statement through reconciliation, stock, settlement and the ledger.</summary>
public sealed class PartialDeliveryTests
{
    [Fact]
    public async Task A_partial_delivery_waits_for_its_returned_items_then_settles_the_delivered_part_minus_fees_and_restocks_the_rest()
    {
        await using var app = await Cho40App.StartAsync();
        var statements = app.Services.GetRequiredService<CodStatements>();
        var orders = app.Services.GetRequiredService<Cho40.Db.Orders>();
        var now = app.Clock.GetUtcNow();
        await using var db = new NpgsqlConnection(app.ConnectionString);
        var sellerId = await db.ExecuteScalarAsync<long>("SELECT id FROM sellers WHERE slug = 'htx-che-tan-cuong'");
        var category = await db.ExecuteScalarAsync<int>("SELECT id FROM categories ORDER BY id LIMIT 1");
        long Product(string name, long price) => db.ExecuteScalar<long>("""
            INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, status)
            VALUES (@sellerId, @category, @slug, @name, 'hộp', @price, 10, 'published') RETURNING id
            """, new { sellerId, category, slug = "p-" + Guid.NewGuid().ToString("N"), name, price });
        var tea = Product("Chè búp 200g", 120_000);
        var gift = Product("Hộp quà chè", 200_000);
        // Ordered: 2 × tea (240,000) + 1 × gift (200,000) = 440,000 + 30,000 shipping = 470,000 to collect.
        var tracking = NewTracking();
        var code = await OrderAsync(app, "htx-che-tan-cuong", 440_000, tracking: tracking, deliveredAt: now.AddDays(-2));
        var orderId = await db.ExecuteScalarAsync<long>("SELECT id FROM orders WHERE code = @code", new { code });
        await db.ExecuteAsync("""
            INSERT INTO order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd)
            VALUES (@orderId, @tea, 'Chè búp 200g', 'hộp', 120000, 2, 240000), (@orderId, @gift, 'Hộp quà chè', 'hộp', 200000, 1, 200000)
            """, new { orderId, tea, gift });

        // The shopper kept the tea and sent the gift box back: the carrier collected 270,000 and charged a return fee.
        var day = VietnamTime.DayOf(now).AddDays(-2).ToString("dd/MM/yyyy");
        var import = await statements.ImportAsync("GHN", "partial.csv", Csv(CanonicalHeader,
            $"{tracking},{code},270000,30000,2700,15000,Giao một phần,{day},"), null, now);
        Assert.True(import.Status == CodImportStatus.Imported, string.Join("\n", import.Errors));
        var statementId = import.StatementId!.Value;
        var job = app.Services.GetRequiredService<ReconcileCodStatementJob>();
        await job.RunAsync(statementId);
        var line = Assert.Single(await statements.LinesAsync(statementId));
        Assert.Equal(("partial", "awaiting_return"), (line.Status, line.Outcome));
        Assert.Equal(1, (await statements.FindAsync(statementId))!.NeedsDecision);

        // Returned items: refused when it would be everything, or more than ordered; recorded once; stock back.
        Assert.Equal(PartialReturnResult.Invalid, await orders.RecordPartialReturnAsync(orderId, new Dictionary<long, int> { [tea] = 2, [gift] = 1 }, 1, true, now));
        Assert.Equal(PartialReturnResult.Invalid, await orders.RecordPartialReturnAsync(orderId, new Dictionary<long, int> { [gift] = 2 }, 1, true, now));
        Assert.Equal(PartialReturnResult.Recorded, await orders.RecordPartialReturnAsync(orderId, new Dictionary<long, int> { [gift] = 1 }, 1, true, now));
        Assert.Equal(PartialReturnResult.AlreadyRecorded, await orders.RecordPartialReturnAsync(orderId, new Dictionary<long, int> { [gift] = 1 }, 1, true, now));
        Assert.Equal((10, 11), (await db.ExecuteScalarAsync<int>("SELECT stock FROM products WHERE id = @tea", new { tea }),
            await db.ExecuteScalarAsync<int>("SELECT stock FROM products WHERE id = @gift", new { gift })));
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("SELECT count(*) FROM order_events WHERE order_id = @orderId AND kind = 'partly_returned'", new { orderId }));

        Assert.Equal([statementId], await statements.StatementsAwaitingReturnAsync(orderId));
        await job.RunAsync(statementId);
        line = Assert.Single(await statements.LinesAsync(statementId));
        // Expected: 470,000 − the gift's 200,000 = 270,000, which is what the carrier collected.
        Assert.Equal(("partial", 270_000L), (line.Outcome, line.ExpectedCodVnd));

        var today = VietnamTime.DayOf(now);
        var run = await app.Services.GetRequiredService<Cho40.Db.Settlement>().RunAsync(new SettlementCycle(today.AddDays(-6), today), now);
        var items = await app.Services.GetRequiredService<Cho40.Db.Settlement>().ItemsAsync(run.RunId);
        var item = Assert.Single(items, i => i.OrderCode == code);
        // Commission 5 % of the delivered goods (240,000) = 12,000; net = 270,000 − 30,000 − 2,700 − 15,000 − 12,000 = 210,300.
        Assert.Equal((270_000L, 12_000L, 210_300L), (item.ReceivedVnd, item.CommissionVnd, item.NetVnd));
        Assert.Equal(210_300L, (await app.Services.GetRequiredService<Cho40.Db.Settlement>().PayoutsAsync(run.RunId, sellerId)).Single().AmountVnd);
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>("SELECT coalesce(sum(amount_vnd), 0) FROM ledger_entries"));
        Assert.Equal(0L, await db.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(amount_vnd) <> 0) x"));
    }
}
