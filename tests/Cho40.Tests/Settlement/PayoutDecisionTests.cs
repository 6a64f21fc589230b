using System.Net;
using Cho40.Db;
using Cho40.Jobs.Settlement;
using Cho40.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Settlement;

/// <summary>
/// A payout leaves the platform's bank account only when an admin records that the bank sent it; a failed transfer
/// puts the money back on the seller's balance and the next cycle pays it again, once.
/// </summary>
public sealed class PayoutDecisionTests
{
    [Fact]
    public async Task A_sent_payout_leaves_the_bank_once_and_a_failed_one_is_paid_again_next_cycle()
    {
        await using var app = await Cho40App.StartAsync();
        var s = await SettlementScenario.CreateAsync(app);
        var settlement = app.Services.GetRequiredService<Cho40.Db.Settlement>();
        var ledger = app.Services.GetRequiredService<Ledger>();
        await settlement.SavePayoutAccountAsync(s.TanCuong, new PayoutAccount("970436", "0011004455667", "HTX CHE TAN CUONG"), app.Clock.GetUtcNow());
        // La Bằng has no payout account: its payout cannot be recorded as sent.

        var run = await app.Services.GetRequiredService<SettleCycleJob>().RunAsync(s.Cycle.Key);
        var bankAfterRun = await ledger.BalanceAsync(Ledger.PlatformBank);
        var payouts = await settlement.PayoutsAsync(run.RunId);
        Assert.Equal(payouts.Sum(p => p.AmountVnd), -await ledger.BalanceAsync(Ledger.PayoutsPending));
        Assert.True(payouts.Sum(p => p.AmountVnd) >= SettlementScenario.TanCuongNet + SettlementScenario.LaBangNet);
        Assert.All(payouts, p => Assert.Equal("pending", p.Status));

        using var admin = app.NewClient();
        await admin.SignInAsync("0900000001");
        var runUrl = $"/Admin/Settlement/Run/{run.RunId}";
        var csv = await admin.Http.GetStringAsync(runUrl + "?handler=BankCsv");
        Assert.Contains("0011004455667", csv);
        Assert.DoesNotContain($"NB{s.LaBang}", csv); // no account: not in the bank file

        // Field-level refusals change nothing.
        var noAccount = await admin.SubmitFormAsync(runUrl, $"#payout-{s.LaBang} + tr form", new Dictionary<string, string> { ["Input.Outcome"] = "failed" });
        Assert.Equal(HttpStatusCode.OK, noAccount.StatusCode);
        Assert.Contains("Hãy ghi lý do chuyển khoản không thành công.", (await PageClient.ParseAsync(noAccount)).QuerySelector(".form-errors")!.TextContent);
        Assert.Equal(bankAfterRun, await ledger.BalanceAsync(Ledger.PlatformBank));

        // Sent: the money leaves the bank account, once, however often the form is posted.
        var (_, page) = await admin.GetPageAsync(runUrl);
        var sent = new Dictionary<string, string> { ["Input.Outcome"] = "paid", ["Input.BankReference"] = "FT26327001" };
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync(page, $"#payout-{s.TanCuong} + tr form", sent)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync(page, $"#payout-{s.TanCuong} + tr form", sent)).StatusCode);
        Assert.Equal(bankAfterRun - SettlementScenario.TanCuongNet, await ledger.BalanceAsync(Ledger.PlatformBank));
        Assert.Equal(1L, await ScalarAsync<long>(app, "SELECT count(*) FROM ledger_transactions WHERE idempotency_key LIKE 'payout-sent:%'"));
        Assert.DoesNotContain("0011004455667", await admin.Http.GetStringAsync(runUrl + "?handler=BankCsv")); // sent: not again

        // Failed: back on La Bằng's balance; the next cycle pays it (and only it) again.
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(runUrl, $"#payout-{s.LaBang} + tr form", new Dictionary<string, string>
        {
            ["Input.Outcome"] = "failed", ["Input.FailureReason"] = "Chưa có tài khoản nhận tiền",
        })).StatusCode);
        Assert.Equal(-SettlementScenario.LaBangNet, await ledger.BalanceAsync(Ledger.SellerPayable(s.LaBang)));
        var othersPending = payouts.Where(p => p.SellerId != s.TanCuong && p.SellerId != s.LaBang).Sum(p => p.AmountVnd);
        Assert.Equal(-othersPending, await ledger.BalanceAsync(Ledger.PayoutsPending));
        var next = await settlement.RunAsync(new SettlementCycle(s.Cycle.To.AddDays(1), s.Cycle.To.AddDays(7)), app.Clock.GetUtcNow());
        var repaid = Assert.Single(await settlement.PayoutsAsync(next.RunId));
        Assert.Equal((s.LaBang, SettlementScenario.LaBangNet, "pending"), (repaid.SellerId, repaid.AmountVnd, repaid.Status));
        Assert.Equal(0, await ledger.BalanceAsync(Ledger.SellerPayable(s.LaBang)));
        Assert.Equal(0L, await ScalarAsync<long>(app, "SELECT coalesce(sum(amount_vnd), 0) FROM ledger_entries"));

        // The seller sees the outcome on the statement; a non-admin cannot record anything.
        using var tanCuong = app.NewClient();
        await tanCuong.SignInAsync("0900000003");
        var (_, statement) = await tanCuong.GetPageAsync($"/Seller/Settlement/{run.RunId}/{s.TanCuong}");
        Assert.Contains("Đã chuyển khoản", statement.QuerySelector(".payout-status")!.TextContent);
        var token = statement.QuerySelector("form[action='/Account/SignOut'] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var refused = await tanCuong.Http.PostAsync($"/Admin/Settlement/Run/{next.RunId}?handler=Decide", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.SellerId"] = s.LaBang.ToString(), ["Input.Outcome"] = "failed",
            ["Input.FailureReason"] = "thử",
        }));
        Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound
            || refused.Headers.Location?.OriginalString.Contains("AccessDenied") == true, $"a seller member got {(int)refused.StatusCode}");
        Assert.Equal("pending", (await settlement.PayoutsAsync(next.RunId)).Single().Status);
        Assert.Equal("failed", (await settlement.PayoutsAsync(run.RunId, s.LaBang)).Single().Status);
    }
}
