using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Npgsql;
using static Cho40.Tests.Reports.ReportTestData;

namespace Cho40.Tests.Reports;

/// <summary>A stored report never changes; a payment that arrives after its day was reported is late in exactly one later report.</summary>
public sealed class LateDataTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task A_late_transfer_leaves_the_stored_report_as_it_was_and_is_late_in_the_next_report_exactly_once()
    {
        var day = Day;
        var stall = await StallIdAsync(app, "cho-thai", "A01");
        var market = await IdAsync(app, "markets", "cho-thai");
        await PaymentAsync(app, stall, "cash", 50_000, StartOf(day).AddHours(9));
        await PaymentAsync(app, stall, "qr", 70_000, StartOf(day).AddHours(15));
        await app.ComputeAsync(day); // at 00:15 on 11 March
        var stored = (await app.ReportQueries().FindAsync("stall", stall, day))!;
        var storedMarket = (await app.ReportQueries().FindAsync("market", market, day))!;
        Assert.Equal(120_000, stored.TotalVnd);

        // A transfer made at 23:58 on 10 March that the bank reports only at 00:40 on the 11th, after the report.
        var late = await PaymentAsync(app, stall, "qr", 30_000, StartOf(day.AddDays(1)).AddMinutes(-2),
            recordedAt: StartOf(day.AddDays(1)).AddMinutes(40));
        // And one of the 11th itself.
        await PaymentAsync(app, stall, "cash", 5_000, StartOf(day.AddDays(1)).AddHours(8));

        // Computing the 10th again stores nothing; the stored report is as it was.
        Assert.Equal(ReportDayOutcome.AlreadyComputed, (await app.ReportComputation().ComputeDayAsync(day, app.Clock.GetUtcNow().AddHours(3), Db.ReportComputation.DefaultSettleTime)).Outcome);
        Assert.Equal(stored, await app.ReportQueries().FindAsync("stall", stall, day));
        Assert.Equal(storedMarket, await app.ReportQueries().FindAsync("market", market, day));

        // The database refuses to change or delete a report.
        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync(app, "UPDATE daily_reports SET qr_vnd = qr_vnd + 30000 WHERE id = @Id", new { stored.Id }));
        Assert.Contains("immutable", update.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(app, "DELETE FROM daily_reports WHERE id = @Id", new { stored.Id }));
        await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(app, "DELETE FROM daily_report_days"));
        Assert.Equal(stored, await app.ReportQueries().FindAsync("stall", stall, day));

        // The 11th's report: its own day only, and the late transfer listed with its own day (stall and market).
        await app.ComputeAsync(day.AddDays(1));
        var next = (await app.ReportQueries().FindAsync("stall", stall, day.AddDays(1)))!;
        Assert.Equal(5_000, next.TotalVnd);
        Assert.Equal((1, 30_000L), (next.LateCount, next.LateVnd));
        var lateItems = await app.ReportQueries().LateItemsAsync(next.Id);
        Assert.Equal((late, day, 30_000L), (lateItems.Single().StallPaymentId, lateItems.Single().OriginalDay, lateItems.Single().AmountVnd));
        var nextMarket = (await app.ReportQueries().FindAsync("market", market, day.AddDays(1)))!;
        Assert.Equal((1, 30_000L), (nextMarket.LateCount, nextMarket.LateVnd));

        // ...and in no other report.
        await app.ComputeAsync(day.AddDays(2));
        Assert.Equal(0, (await app.ReportQueries().FindAsync("stall", stall, day.AddDays(2)))!.LateCount);
        Assert.Equal(1L, await ScalarAsync<long>(app,
            "SELECT count(*) FROM daily_report_late_items WHERE stall_payment_id = @late AND scope_kind = 'stall'", new { late }));
        Assert.Equal(stored, await app.ReportQueries().FindAsync("stall", stall, day));

        // The stallholder sees it on the 11th's page, with the day it belongs to.
        using var owner = app.NewClient();
        await owner.SignInAsync("0900000004");
        var (response, page) = await owner.GetPageAsync($"/Stall/{stall}/Reports?day=2031-03-11");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = page.QuerySelector("#report-late tbody tr")!;
        Assert.Equal("2031-03-10", row.GetAttribute("data-original-day"));
        Assert.Contains("30.000", row.TextContent);
        Assert.Contains("5.000", page.QuerySelector("#report-total")!.TextContent);
    }

    [Fact]
    public async Task A_report_is_refused_unless_its_day_is_stored_by_then()
    {
        // Every report belongs to a computed day: checked once per statement (migration 0960) rather than by a foreign key.
        var stall = await StallIdAsync(app, "cho-thai", "A01");
        var (stored, missing) = (Day.AddDays(20), Day.AddDays(21));
        const string InsertDay = """
            INSERT INTO daily_report_days (report_day, window_start, window_end, computed_at, scope_count, late_count, duration_ms)
            SELECT @d, b.s, b.e, b.e + interval '13 minutes', 1, 0, 1
            FROM (SELECT (@d::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS s, ((@d + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AS e) b
            """;
        const string InsertReports = """
            INSERT INTO daily_reports (scope_kind, scope_id, report_day, computed_at, cash_count, cash_vnd)
            SELECT 'stall', @stall, d, now(), 1, 1000 FROM unnest(@days::date[]) d
            """;
        await ExecuteAsync(app, InsertDay, new { d = stored });

        // A day that has no row: refused, alone or next to one that has.
        var alone = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(app, InsertReports, new { stall, days = new[] { missing } }));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, alone.SqlState);
        var mixed = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync(app, InsertReports, new { stall, days = new[] { stored, missing } }));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, mixed.SqlState);
        Assert.Contains(missing.ToString("yyyy-MM-dd"), mixed.MessageText);
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM daily_reports WHERE scope_id = @stall AND report_day IN (@stored, @missing)",
            new { stall, stored, missing }));

        // Its day stored: accepted.
        await ExecuteAsync(app, InsertReports, new { stall, days = new[] { stored } });
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM daily_reports WHERE scope_id = @stall AND report_day = @stored",
            new { stall, stored }));
    }

    [Fact]
    public async Task A_payment_stamped_just_before_a_cutoff_but_recorded_after_it_is_not_lost()
    {
        // Recorded (by its own clock) within the settle time before the computation: outside the report's cutoff, so it is
        // late in the next report instead of being missed by both.
        var day = Day;
        var stall = await StallIdAsync(app, "cho-thai", "B07");
        var runAt = NightlyRunOn(day.AddDays(1));
        var p = await PaymentAsync(app, stall, "qr", 12_000, StartOf(day).AddHours(23).AddMinutes(59), recordedAt: runAt.AddSeconds(-30));
        await app.ComputeAsync(day);
        Assert.Equal(0, (await app.ReportQueries().FindAsync("stall", stall, day))!.TotalVnd);
        await app.ComputeAsync(day.AddDays(1));
        var next = (await app.ReportQueries().FindAsync("stall", stall, day.AddDays(1)))!;
        Assert.Equal(p, (await app.ReportQueries().LateItemsAsync(next.Id)).Single().StallPaymentId);
    }
}
