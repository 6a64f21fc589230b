using System.Diagnostics;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Jobs.Cod;
using Cho40.Jobs.Settlement;
using Cho40.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Settlement;

/// <summary>
/// Two cooperatives' week: Tân Cương has a delivered COD order, a returned one and a VietQR-paid one; La Bằng has a
/// short-paid COD order an admin adjusted and a disputed one. Commission 5 % of goods value, rounded half up.
/// </summary>
public sealed class SettlementScenario
{
    public required long TanCuong { get; init; }
    public required long LaBang { get; init; }
    public required SettlementCycle Cycle { get; init; }

    // 230,000 − 25,000 − 2,300 − 10,000 = 192,700; returned: −25,000 − 12,000 = −37,000;
    // transfer 180,010 − commission (150,010 × 5 % = 7,500.5 → 7,501) = 172,509.
    public const long TanCuongNet = 192_700 - 37_000 + 172_509;
    // adjusted to 325,000 − 20,000 − 15,000 = 290,000; the disputed line is held back.
    public const long LaBangNet = 290_000;

    public static async Task<SettlementScenario> CreateAsync(Cho40App app)
    {
        var statements = app.Services.GetRequiredService<CodStatements>();
        var now = app.Clock.GetUtcNow();
        var (t1, t2, t3, t4, t5) = (NewTracking(), NewTracking(), NewTracking(), NewTracking(), NewTracking());
        await OrderAsync(app, "htx-che-tan-cuong", 200_000, tracking: t1);
        await OrderAsync(app, "htx-che-tan-cuong", 100_000, status: "returned", tracking: t2);
        await OrderAsync(app, "htx-che-tan-cuong", 150_010, payment: "transfer", paid: true, tracking: null, carrier: null);
        await OrderAsync(app, "htx-che-la-bang", 300_000, tracking: t3);
        await OrderAsync(app, "htx-che-la-bang", 80_000, tracking: t4);
        var day = VietnamTime.DayOf(now).AddDays(-3).ToString("dd/MM/yyyy");
        var import = await statements.ImportAsync("GHN", "week.csv", Csv(CanonicalHeader,
            $"{t1},,230000,25000,2300,0,Đã giao,{day},",
            $"{t2},,0,25000,0,12000,Đã trả hàng,,",
            $"{t3},,320000,20000,0,0,Đã giao,{day},",
            $"{t4},,50000,20000,0,0,Đã giao,{day},",
            $"{t5},,70000,20000,0,0,Đã giao,{day},"), null, now);
        var id = import.StatementId!.Value;
        await app.Services.GetRequiredService<ReconcileCodStatementJob>().RunAsync(id);
        var lines = await statements.LinesAsync(id);
        Assert.True(await statements.DecideAsync(lines[2].Id, "adjust", 325_000, "Người nhận trả 325.000, đã xác minh", 1, now));
        Assert.True(await statements.DecideAsync(lines[3].Id, "dispute", null, "Thiếu 280.000, đang khiếu nại GHN", 1, now));
        // lines[4] (unknown order) stays undecided: never paid to anyone.
        var sellers = await Task.WhenAll(
            ScalarAsync<long>(app, "SELECT id FROM sellers WHERE slug = 'htx-che-tan-cuong'"),
            ScalarAsync<long>(app, "SELECT id FROM sellers WHERE slug = 'htx-che-la-bang'"));
        var today = VietnamTime.DayOf(now);
        return new SettlementScenario { TanCuong = sellers[0], LaBang = sellers[1], Cycle = new SettlementCycle(today.AddDays(-6), today) };
    }
}

public sealed class SettlementRunTests
{
    private static async Task AssertLedgerSumsToZeroAsync(Cho40App app)
    {
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT coalesce(sum(amount_vnd), 0) FROM ledger_entries"));
        Assert.Equal(0L, await ScalarAsync<long>(app, """
            SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(amount_vnd) <> 0) x
            """));
    }

    [Fact]
    public async Task Settlement_pays_received_minus_fees_commission_and_returns_once_however_often_it_runs()
    {
        await using var app = await Cho40App.StartAsync();
        var s = await SettlementScenario.CreateAsync(app);
        var settlement = app.Services.GetRequiredService<Cho40.Db.Settlement>();
        var ledger = app.Services.GetRequiredService<Ledger>();

        // The seller tells where to be paid; another cooperative's member cannot see or change it.
        using (var member = app.NewClient())
        {
            await member.SignInAsync("0900000003");
            var saved = await member.SubmitFormAsync($"/Seller/Settlement/Account/{s.TanCuong}", "form.payout-account", new Dictionary<string, string>
            {
                ["Input.BankBin"] = "970436", ["Input.AccountNumber"] = "0011004455667", ["Input.AccountName"] = "HTX Chè Tân Cương",
            });
            Assert.Equal(System.Net.HttpStatusCode.Redirect, saved.StatusCode);
            using var other = app.NewClient();
            await other.SignInAsync("0900000007");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await other.Http.GetAsync($"/Seller/Settlement/Account/{s.TanCuong}")).StatusCode);
        }

        var first = await app.Services.GetRequiredService<SettleCycleJob>().RunAsync(s.Cycle.Key);
        Assert.Equal(SettleStatus.Completed, first.Status);
        await AssertLedgerSumsToZeroAsync(app);

        var items = await settlement.ItemsAsync(first.RunId);
        Assert.Equal(SettlementScenario.TanCuongNet, items.Where(i => i.SellerId == s.TanCuong).Sum(i => i.NetVnd));
        Assert.Equal(SettlementScenario.LaBangNet, items.Where(i => i.SellerId == s.LaBang).Sum(i => i.NetVnd));
        Assert.Equal([10_000L, 0, 7_501], items.Where(i => i.SellerId == s.TanCuong).OrderBy(i => i.Kind).ThenByDescending(i => i.ReceivedVnd)
            .Select(i => i.CommissionVnd));
        Assert.Single(items, i => i.SellerId == s.LaBang); // the disputed line waits
        var payouts = await settlement.PayoutsAsync(first.RunId);
        Assert.Equal(SettlementScenario.TanCuongNet, payouts.Single(p => p.SellerId == s.TanCuong).AmountVnd);
        Assert.Equal(SettlementScenario.LaBangNet, payouts.Single(p => p.SellerId == s.LaBang).AmountVnd);
        // Paid out: the sellers' payable accounts are back to zero; commission earned is in revenue.
        Assert.Equal(0, await ledger.BalanceAsync(Ledger.SellerPayable(s.TanCuong)));
        Assert.Equal(-items.Sum(i => i.CommissionVnd), await ledger.BalanceAsync(Ledger.Commission));
        // GHN remitted 5 lines' cash less fees; sellers were credited for 3 (one adjusted up by 5,000): what is left on the
        // receivable is the disputed line (30,000) and the unknown one (50,000) the platform holds, less the 5,000 GHN still owes.
        Assert.Equal(-30_000 - 50_000 + 5_000, await ledger.BalanceAsync(Ledger.CarrierReceivable("GHN")));

        var entries = await ledger.EntriesAsync();
        var again = await settlement.RunAsync(s.Cycle, app.Clock.GetUtcNow());
        Assert.Equal((SettleStatus.AlreadyCompleted, first.RunId), (again.Status, again.RunId));
        Assert.Equal(entries, await ledger.EntriesAsync());

        // The next week pays nothing twice: the same lines and orders are not taken again.
        var next = await settlement.RunAsync(new SettlementCycle(s.Cycle.To.AddDays(1), s.Cycle.To.AddDays(7)), app.Clock.GetUtcNow());
        Assert.Equal(0, next.Items);
        Assert.Empty(await settlement.PayoutsAsync(next.RunId));
        await AssertLedgerSumsToZeroAsync(app);

        await SellersAndAdminSeeTheStatementAsync(app, s, first.RunId);
    }

    private static async Task SellersAndAdminSeeTheStatementAsync(Cho40App app, SettlementScenario s, long runId)
    {
        using var admin = app.NewClient();
        await admin.SignInAsync("0900000001");
        var (runPage, run) = await admin.GetPageAsync($"/Admin/Settlement/Run/{runId}");
        Assert.Equal(System.Net.HttpStatusCode.OK, runPage.StatusCode);
        var csv = await admin.Http.GetStringAsync($"/Admin/Settlement/Run/{runId}?handler=BankCsv");
        var csvLines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("STT,Mã ngân hàng (BIN),Số tài khoản", csvLines[0]);
        Assert.Contains($",970436,0011004455667,HTX CHE TAN CUONG,{SettlementScenario.TanCuongNet},Cho40 quyet toan {s.Cycle.Key} NB{s.TanCuong}", csv);

        using var tanCuong = app.NewClient();
        await tanCuong.SignInAsync("0900000003");
        var (_, list) = await tanCuong.GetPageAsync("/Seller/Settlement");
        Assert.Contains(s.Cycle.Key, list.QuerySelector(".settlement-runs")!.TextContent);
        var (ok, statement) = await tanCuong.GetPageAsync($"/Seller/Settlement/{runId}/{s.TanCuong}");
        Assert.Equal(System.Net.HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(3, statement.QuerySelectorAll("table.settlement-items tbody tr").Length);
        Assert.Contains("328.209", statement.QuerySelector(".net-total")!.TextContent);
        var pdf = await tanCuong.Http.GetByteArrayAsync($"/Seller/Settlement/{runId}/{s.TanCuong}?handler=Pdf");
        var pdfPath = Path.Combine(Path.GetTempPath(), $"settle-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(pdfPath, pdf);
        var pdfText = Process.Start(new ProcessStartInfo("pdftotext", [pdfPath, "-"]) { RedirectStandardOutput = true })!;
        var extracted = await pdfText.StandardOutput.ReadToEndAsync();
        File.Delete(pdfPath);
        Assert.Contains("Bảng kê quyết toán", extracted);
        Assert.Contains("328.209 ₫", extracted);

        // Another cooperative's member cannot read it by guessing ids.
        using var laBang = app.NewClient();
        await laBang.SignInAsync("0900000007");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await laBang.Http.GetAsync($"/Seller/Settlement/{runId}/{s.TanCuong}")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await laBang.Http.GetAsync($"/Seller/Settlement/{runId}/{s.TanCuong}?handler=Pdf")).StatusCode);
    }

    [Fact]
    public async Task Two_processes_racing_for_the_same_cycle_settle_it_once()
    {
        await using var app = await Cho40App.StartAsync();
        var s = await SettlementScenario.CreateAsync(app);
        var options = app.Services.GetRequiredService<SettlementOptions>();
        // Two independent settlement services on their own data sources, as two job processes would have.
        await using var db1 = Npgsql.NpgsqlDataSource.Create(app.ConnectionString);
        await using var db2 = Npgsql.NpgsqlDataSource.Create(app.ConnectionString);
        var results = await Task.WhenAll(
            Task.Run(() => new Cho40.Db.Settlement(db1, options).RunAsync(s.Cycle, DateTimeOffset.UtcNow)),
            Task.Run(() => new Cho40.Db.Settlement(db2, options).RunAsync(s.Cycle, DateTimeOffset.UtcNow)));
        Assert.Equal([SettleStatus.Completed, SettleStatus.AlreadyCompleted], results.Select(r => r.Status).Order());
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM settlement_runs"));
        Assert.Equal(SettlementScenario.TanCuongNet + SettlementScenario.LaBangNet,
            await ScalarAsync<long>(app, "SELECT sum(amount_vnd) FROM payouts WHERE seller_id IN (@TanCuong, @LaBang)", new { s.TanCuong, s.LaBang }));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM (SELECT line_id FROM settlement_items WHERE line_id IS NOT NULL GROUP BY line_id HAVING count(*) > 1) x"));
        await AssertLedgerSumsToZeroAsync(app);
    }

    [Trait("Speed", "Slow")]
    [Fact]
    public async Task A_job_process_killed_midway_leaves_nothing_and_the_retry_ends_in_the_same_ledger_and_payouts()
    {
        await using var app = await Cho40App.StartAsync();
        var s = await SettlementScenario.CreateAsync(app);

        using (var paused = StartSettleProcess(app, s.Cycle, pauseAfterSellers: 1))
        {
            var line = await ReadLineAsync(paused, TimeSpan.FromSeconds(60));
            Assert.Equal("PAUSED", line);
            // Midway: the first seller's settlement is written inside the open transaction. Kill -9.
            paused.Kill(entireProcessTree: true);
            await paused.WaitForExitAsync();
        }
        Assert.Equal(0L, await ScalarAsync<long>(app,
            "SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE 'settlement:%' OR idempotency_key LIKE 'payout:%'"));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT count(*) FROM settlement_items"));
        Assert.Equal("running", await ScalarAsync<string>(app, "SELECT status FROM settlement_runs"));

        using (var retry = StartSettleProcess(app, s.Cycle, pauseAfterSellers: null))
        {
            var line = await ReadLineAsync(retry, TimeSpan.FromSeconds(60));
            Assert.StartsWith("Completed", line);
            await retry.WaitForExitAsync();
            Assert.Equal(0, retry.ExitCode);
        }
        var ledger = app.Services.GetRequiredService<Ledger>();
        var entries = await ledger.EntriesAsync();
        var payouts = await ScalarAsync<long>(app, "SELECT sum(amount_vnd) FROM payouts WHERE seller_id IN (@TanCuong, @LaBang)", new { s.TanCuong, s.LaBang });
        Assert.Equal(SettlementScenario.TanCuongNet + SettlementScenario.LaBangNet, payouts);
        Assert.Equal(SettlementScenario.TanCuongNet, entries.Where(e => e.IdempotencyKey == $"payout:{s.Cycle.Key}:{s.TanCuong}" && e.AmountVnd > 0).Sum(e => e.AmountVnd));

        // And once more, in-process: already completed, the ledger unchanged.
        var again = await app.Services.GetRequiredService<Cho40.Db.Settlement>().RunAsync(s.Cycle, DateTimeOffset.UtcNow);
        Assert.Equal(SettleStatus.AlreadyCompleted, again.Status);
        Assert.Equal(entries, await ledger.EntriesAsync());
        await AssertLedgerSumsToZeroAsync(app);
    }

    private static Process StartSettleProcess(Cho40App app, SettlementCycle cycle, int? pauseAfterSellers)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cho40.Jobs.dll"));
        start.ArgumentList.Add("settle");
        start.ArgumentList.Add(cycle.Key);
        start.Environment["DATABASE_URL"] = app.ConnectionString;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        if (pauseAfterSellers is { } n) start.Environment[Cho40.Db.Settlement.PauseAfterSellersVariable] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string?> ReadLineAsync(Process process, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await process.StandardOutput.ReadLineAsync(cts.Token);
    }
}
