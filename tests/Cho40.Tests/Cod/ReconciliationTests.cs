using System.Net;
using Cho40.Db;
using Cho40.Jobs.Cod;
using Cho40.Jobs.Settlement;
using Cho40.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Cod;

public sealed class SettlementReconciliationTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;
    private CodStatements Statements => App.Services.GetRequiredService<CodStatements>();

    private async Task<long> ImportAsync(params string[] rows)
    {
        var result = await Statements.ImportAsync("GHN", Guid.NewGuid() + ".csv", Csv([CanonicalHeader, .. rows]), null, App.Clock.GetUtcNow());
        Assert.True(result.Status == CodImportStatus.Imported, string.Join("\n", result.Errors));
        return result.StatementId!.Value;
    }

    private Task RunJobAsync(long statementId) =>
        App.Services.GetRequiredService<ReconcileCodStatementJob>().RunAsync(statementId);

    [Fact]
    public async Task Lines_are_matched_by_order_code_or_tracking_code_into_every_outcome_and_a_rerun_changes_nothing()
    {
        var (t1, t2, t3, t4, t5, t6) = (NewTracking(), NewTracking(), NewTracking(), NewTracking(), NewTracking(), NewTracking());
        var byCode = await OrderAsync(App, "htx-che-tan-cuong", 200_000, tracking: t1);          // total 230,000
        var byTracking = await OrderAsync(App, "htx-che-tan-cuong", 100_000, tracking: t2);      // total 130,000
        var shortPaid = await OrderAsync(App, "htx-che-la-bang", 300_000, tracking: t3);         // total 330,000
        var returned = await OrderAsync(App, "htx-che-la-bang", 50_000, status: "returned", tracking: t4);
        var lost = await OrderAsync(App, "htx-che-la-bang", 70_000, status: "shipped", tracking: t6);
        var id = await ImportAsync(
            $"WRONG{t1},{byCode.ToLowerInvariant().Replace("-", " ")},230000,25000,2300,0,Đã giao,05/11/2026,",
            $"{t2},,130000,25000,1300,0,Đã giao,05/11/2026,",
            $"{t3},{shortPaid},300000,25000,3000,0,Đã giao,05/11/2026,",
            $"{t4},,0,25000,0,12000,Đã trả hàng,,",
            $"{t5},DH-ZZZZZZ,99000,25000,990,0,Đã giao,05/11/2026,",
            $"{t6},,0,25000,0,0,Thất lạc,,");

        await RunJobAsync(id);
        var lines = await Statements.LinesAsync(id);
        Assert.Equal(
            [("matched", byCode, 230_000L), ("matched", byTracking, 130_000), ("amount_mismatch", shortPaid, 330_000),
             ("returned", returned, 50_000 + 30_000), ("unknown_order", null, null), ("lost", lost, 70_000 + 30_000)],
            lines.Select(l => (l.Outcome, l.MatchedOrderCode, l.ExpectedCodVnd)));
        Assert.Equal(3, (await Statements.FindAsync(id))!.NeedsDecision);

        // Safe to re-run: the same result.
        await RunJobAsync(id);
        Assert.Equal(lines.Select(l => (l.Outcome, l.OrderId)), (await Statements.LinesAsync(id)).Select(l => (l.Outcome, l.OrderId)));
    }

    [Fact]
    public async Task Matches_are_one_row_per_line_written_once_and_a_rerun_rewrites_only_what_changed()
    {
        var (t1, t2, t3) = (NewTracking(), NewTracking(), NewTracking());
        await OrderAsync(App, "htx-che-tan-cuong", 200_000, tracking: t1);   // total 230,000
        await OrderAsync(App, "htx-che-tan-cuong", 100_000, tracking: t2);   // total 130,000
        var first = await ImportAsync($"{t1},,230000,25000,2300,0,Đã giao,05/11/2026,", $"{t2},,120000,25000,1200,0,Đã giao,05/11/2026,");
        // A later statement listing one of the same shipments again, and a new one nobody knows.
        var second = await ImportAsync($"{t1},,230000,25000,2300,0,Đã giao,06/11/2026,", $"{t3},,50000,25000,500,0,Đã giao,06/11/2026,");
        const string lineVersions = "SELECT string_agg(xmin::text, ',' ORDER BY id) FROM cod_statement_lines WHERE statement_id = @id";
        const string matchRows = """
            SELECT string_agg(l.tracking_code || ':' || m.outcome || ':' || (m.ready_at IS NOT NULL) || ':' || m.xmin::text, ',' ORDER BY l.id)
            FROM cod_line_matches m JOIN cod_statement_lines l ON l.id = m.line_id AND l.statement_id = m.statement_id
            WHERE m.statement_id = @id
            """;
        var linesBefore = await ScalarAsync<string>(App, lineVersions, new { id = first });

        await RunJobAsync(first);
        await RunJobAsync(second);
        // The carrier's lines were not rewritten (same row versions); one match per line, none for the repeated shipment.
        Assert.Equal(linesBefore, await ScalarAsync<string>(App, lineVersions, new { id = first }));
        Assert.Equal(2L, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_line_matches WHERE statement_id = @first", new { first }));
        Assert.Equal(1L, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_line_matches WHERE statement_id = @second", new { second }));
        Assert.Equal(["duplicate", "unknown_order"], (await Statements.LinesAsync(second)).Select(l => l.Outcome));
        var matched = await ScalarAsync<string>(App, matchRows, new { id = first });
        Assert.Matches($"^{t1}:matched:true:[0-9]+,{t2}:amount_mismatch:false:[0-9]+$", matched);

        // Nothing changed: a re-run writes no row (same versions), and a payable line keeps the time it became payable.
        App.Clock.Advance(TimeSpan.FromHours(1));
        try { await RunJobAsync(first); }
        finally { App.Clock.Advance(TimeSpan.FromHours(-1)); }
        Assert.Equal(matched, await ScalarAsync<string>(App, matchRows, new { id = first }));
        Assert.Equal(2L, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_line_matches WHERE statement_id = @first", new { first }));

        // The carrier's webhook reports another COD amount for the first parcel: only that line's match is rewritten.
        await using (var connection = new Npgsql.NpgsqlConnection(App.ConnectionString))
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO shipments (carrier, tracking_code, cod_reported_vnd, cod_reported_at, updated_at) VALUES ('GHN', @t1, 200000, now(), now())
                """, new { t1 });
        await RunJobAsync(first);
        var after = (await ScalarAsync<string>(App, matchRows, new { id = first })).Split(',');
        Assert.StartsWith($"{t1}:amount_mismatch:false:", after[0]);
        Assert.NotEqual(matched.Split(',')[0], after[0]);
        Assert.Equal(matched.Split(',')[1], after[1]);
        Assert.Equal(200_000L, (await Statements.LinesAsync(first))[0].ReportedCodVnd);
    }

    [Fact]
    public async Task A_tracking_code_entered_on_two_orders_matches_the_first_of_them_and_our_order_code_wins_over_it()
    {
        var (t1, t2) = (NewTracking(), NewTracking());
        var earlier = await OrderAsync(App, "htx-che-tan-cuong", 100_000, tracking: t1);
        await OrderAsync(App, "htx-che-la-bang", 100_000, tracking: t1.ToLowerInvariant() + " ");
        await OrderAsync(App, "htx-che-tan-cuong", 100_000, tracking: t2);
        var byCode = await OrderAsync(App, "htx-che-la-bang", 150_000, tracking: NewTracking());
        var id = await ImportAsync($"{t1},,130000,25000,1300,0,Đã giao,05/11/2026,", $"{t2},{byCode},180000,25000,1800,0,Đã giao,05/11/2026,");
        await RunJobAsync(id);
        Assert.Equal([("matched", earlier), ("matched", byCode)], (await Statements.LinesAsync(id)).Select(l => (l.Outcome, l.MatchedOrderCode)));
    }

    [Fact]
    public async Task An_admin_accepts_adjusts_or_disputes_with_a_reason_and_nothing_is_dropped()
    {
        var (t1, t2, t3) = (NewTracking(), NewTracking(), NewTracking());
        var a = await OrderAsync(App, "htx-che-tan-cuong", 400_000, tracking: t1);
        var b = await OrderAsync(App, "htx-che-tan-cuong", 400_000, tracking: t2);
        var id = await ImportAsync($"{t1},,420000,25000,0,0,Đã giao,05/11/2026,", $"{t2},,430000,25000,0,0,Đã giao,05/11/2026,",
            $"{t3},,10000,25000,0,0,Đã giao,05/11/2026,");
        await RunJobAsync(id);

        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var (_, review) = await admin.GetPageAsync("/Admin/Cod/Review");
        var lines = await Statements.LinesAsync(id);
        var (la, lb, lc) = (lines[0], lines[1], lines[2]);
        Assert.NotNull(review.QuerySelector($"#line-{la.Id}"));
        Assert.NotNull(review.QuerySelector($"#line-{lc.Id}"));

        // No reason: refused, next to the field, nothing decided.
        var noReason = await admin.SubmitAsync(review, $"#line-{la.Id} form",
            new Dictionary<string, string> { ["Input.Decision"] = "adjust", ["Input.Amount"] = "abc", ["Input.Reason"] = "" });
        Assert.Equal(HttpStatusCode.OK, noReason.StatusCode);
        var body = await noReason.Content.ReadAsStringAsync();
        Assert.Contains("Hãy ghi lý do.", body);
        Assert.Contains("Không đọc được «abc» là số tiền", body); // the one money parser's message
        Assert.Null((await Statements.LineAsync(la.Id))!.Decision);

        var (_, page) = await admin.GetPageAsync("/Admin/Cod/Review");
        var adjusted = await admin.SubmitAsync(page, $"#line-{la.Id} form",
            new Dictionary<string, string> { ["Input.Decision"] = "adjust", ["Input.Amount"] = "430.000", ["Input.Reason"] = "Khách trả thêm tiền ship, đã gọi xác nhận" });
        Assert.Equal(HttpStatusCode.Redirect, adjusted.StatusCode);
        (_, page) = await admin.GetPageAsync("/Admin/Cod/Review");
        await admin.SubmitAsync(page, $"#line-{lc.Id} form",
            new Dictionary<string, string> { ["Input.Decision"] = "dispute", ["Input.Reason"] = "Không phải đơn của sàn" });

        var decided = await Statements.LinesAsync(id);
        Assert.Equal(("adjust", 430_000L, "Khách trả thêm tiền ship, đã gọi xác nhận"),
            (decided[0].Decision, decided[0].DecisionCodVnd!.Value, decided[0].DecisionReason));
        Assert.Equal(a, decided[0].MatchedOrderCode);
        Assert.Equal(("matched", (string?)null, b), (decided[1].Outcome, decided[1].Decision, decided[1].MatchedOrderCode));
        Assert.Equal(("unknown_order", "dispute"), (decided[2].Outcome, decided[2].Decision));
        // Decided once: a second decision on the same line changes nothing; a rerun keeps the decisions.
        Assert.False(await Statements.DecideAsync(la.Id, "accept", null, "đổi ý", 1, App.Clock.GetUtcNow()));
        await RunJobAsync(id);
        Assert.Equal(decided.Select(l => (l.Outcome, l.Decision)), (await Statements.LinesAsync(id)).Select(l => (l.Outcome, l.Decision)));
        Assert.Equal(0, (await Statements.FindAsync(id))!.NeedsDecision);
    }

    [Fact]
    public async Task Delivered_cod_orders_missing_from_every_statement_after_n_days_are_listed()
    {
        var now = App.Clock.GetUtcNow();
        var (tOld, tNew, tListed) = (NewTracking(), NewTracking(), NewTracking());
        var old = await OrderAsync(App, "htx-che-tan-cuong", 90_000, tracking: tOld, deliveredAt: now.AddDays(-10));
        var recent = await OrderAsync(App, "htx-che-tan-cuong", 90_000, tracking: tNew, deliveredAt: now.AddDays(-2));
        var listed = await OrderAsync(App, "htx-che-tan-cuong", 90_000, tracking: tListed, deliveredAt: now.AddDays(-10));
        var transfer = await OrderAsync(App, "htx-che-tan-cuong", 90_000, payment: "transfer", paid: true, tracking: NewTracking(), deliveredAt: now.AddDays(-10));
        await ImportAsync($"{tListed},,120000,25000,0,0,Đã giao,05/11/2026,");

        var missing = await App.Services.GetRequiredService<CodReconciliation>().MissingAsync(now, 7, limit: 10_000);
        var codes = missing.Select(m => m.Code).ToList();
        Assert.Contains(old, codes);
        Assert.DoesNotContain(recent, codes);
        Assert.DoesNotContain(listed, codes);
        Assert.DoesNotContain(transfer, codes);

        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var (_, page) = await admin.GetPageAsync("/Admin/Cod/Review");
        Assert.Contains(old, page.QuerySelector("table.cod-missing")!.TextContent);
    }
}

public sealed class SettlementAdminPageTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    [Fact]
    public async Task An_admin_queues_a_settlement_cycle_and_a_wrong_cycle_is_refused_next_to_the_field()
    {
        using var admin = fixture.App.NewClient();
        await admin.SignInAsync("0900000001");
        var wrong = await admin.SubmitFormAsync("/Admin/Settlement", "form.settle", new Dictionary<string, string> { ["Input.Cycle"] = "tuần trước" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("Kỳ quyết toán viết dạng", await wrong.Content.ReadAsStringAsync());

        var ok = await admin.SubmitFormAsync("/Admin/Settlement", "form.settle", new Dictionary<string, string> { ["Input.Cycle"] = "2026-W45" });
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        // Queued on Hangfire's "settlement" queue, with the cycle's canonical key.
        Assert.Equal(1L, await ScalarAsync<long>(fixture.App, """
            SELECT count(*) FROM hangfire.job j JOIN hangfire.jobqueue q ON q.jobid = j.id
            WHERE q.queue = 'settlement' AND j.invocationdata::text LIKE '%SettleCycleJob%' AND j.arguments::text LIKE '%2026-11-02..2026-11-08%'
            """));

        using var seller = fixture.App.NewClient();
        await seller.SignInAsync("0900000003");
        Assert.NotEqual(HttpStatusCode.OK, (await seller.Http.GetAsync("/Admin/Settlement")).StatusCode);
    }
}
