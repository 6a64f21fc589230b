using System.Collections.Concurrent;
using System.Net;
using Cho40.Tests.Infrastructure;
using Cho40.Jobs.Payments.Providers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Security;

/// <summary>A logging sink that keeps every message and exception text written at any level.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Entries.Enqueue($"[scope {category}] {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner.Entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {structured} {exception}");
        }
    }
}

/// <summary>
/// Flows that handle secrets — sign-in with a password, signed webhooks, a stall's bank account, a seller's payout
/// account, an activation code — leave no password, webhook secret, signature, activation code or full account
/// number in any log message or exception text (at every level, Trace included).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class LogLeakTests
{
    [Fact]
    public async Task Secrets_and_full_account_numbers_never_reach_the_logs()
    {
        var sink = new CapturingLoggerProvider();
        await using var app = new Cho40App(await TestDatabase.CreateAsync(withDemoData: true), settings: new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace", ["Logging:LogLevel:Microsoft"] = "Trace",
        });
        using var host = app.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(sink)));
        PageClient NewClient() => new(host.CreateDefaultClient(new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler(new CookieContainer())));

        const string password = "Mk-bi-mat-9137";
        const string stallAccount = "1903555500017";
        const string payoutAccount = "0011004455998";
        var secrets = new List<string>(Cho40App.WebhookSecrets.Values) { password, stallAccount, payoutAccount, "cho40-demo" };

        // Sign-up and sign-in with a password, right and wrong.
        using var person = NewClient();
        await person.SubmitFormAsync("/Account/SignUp", "main form", new Dictionary<string, string>
        {
            ["Input.DisplayName"] = "Người thử log", ["Input.Phone"] = "0988777666", ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        });
        await person.SubmitFormAsync("/Account/SignIn", "main form", new Dictionary<string, string> { ["Input.Phone"] = "0988777666", ["Input.Password"] = password + "x" });
        await person.SignInAsync("0988777666", password);

        // A helper sets up a stall with a bank account for a new owner, who activates with the code (a wrong one first).
        using var helper = NewClient();
        await helper.SignInAsync("0900000005");
        var market = await ScalarAsync<long>(app, "SELECT id FROM markets WHERE slug = 'cho-dai-tu'");
        var saved = await helper.SubmitFormAsync("/Stall/Edit", "main form", new Dictionary<string, string>
        {
            ["Input.MarketId"] = market.ToString(), ["Input.StallNumber"] = "L07", ["Input.Name"] = "Sạp thử log", ["Input.Goods"] = "Rau",
            ["Input.BankBin"] = "970436", ["Input.Service"] = "account", ["Input.AccountNumber"] = stallAccount, ["Input.AccountHolder"] = "Tran Thi Log",
            ["Input.OwnerPhone"] = "0912 444 777", ["Input.OwnerName"] = "Trần Thị Log",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var (_, screen) = await helper.GetPageAsync(saved.Headers.Location!.OriginalString);
        var code = System.Text.RegularExpressions.Regex.Match(screen.QuerySelector(".flash")!.TextContent, @"\b\d{6}\b").Value;
        Assert.Equal(6, code.Length);
        secrets.Add(code);
        using var owner = NewClient();
        await owner.SubmitFormAsync("/Stall/Activate", "main form", new Dictionary<string, string>
        {
            ["Input.Phone"] = "0912444777", ["Input.Code"] = code == "000000" ? "111111" : "000000", ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, (await owner.SubmitFormAsync("/Stall/Activate", "main form", new Dictionary<string, string>
        {
            ["Input.Phone"] = "0912444777", ["Input.Code"] = code, ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        })).StatusCode);

        // A seller's payout account.
        using var seller = NewClient();
        await seller.SignInAsync("0900000003");
        var sellerId = await ScalarAsync<long>(app, "SELECT id FROM sellers WHERE slug = 'htx-che-tan-cuong'");
        Assert.Equal(HttpStatusCode.Redirect, (await seller.SubmitFormAsync($"/Seller/Settlement/Account/{sellerId}", "form.payout-account",
            new Dictionary<string, string> { ["Input.BankBin"] = "970436", ["Input.AccountNumber"] = payoutAccount, ["Input.AccountName"] = "HTX Chè Tân Cương" })).StatusCode);

        // Webhooks: a good delivery to the new stall's account, a replay, a bad signature, a wrong token, a broken body.
        using var api = host.CreateClient();
        foreach (var provider in new[] { "sepay", "payos", "casso" })
        {
            var now = app.Clock.GetUtcNow();
            var path = (await Cho40.Tests.Payments.TestConnections.ForAccountAsync(host.Services, app.ConnectionString, app.Clock, provider, stallAccount)).WebhookPath;
            // The token in the address is not a secret (it is in every access log, like any URL): a delivery is
            // authenticated by the connection's key or signature, which are checked below.
            var (body, headers) = Simulate(provider, new SimulatedTransfer(NewTransactionId(), stallAccount, 30_000, "tien rau", now), Cho40App.WebhookSecrets[provider], now);
            secrets.AddRange(headers.Values.Where(v => v.Length >= 16));
            if (provider == "payos") secrets.Add(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("signature").GetString()!);
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(Delivery(path, body, headers))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(Delivery(path, body, headers))).StatusCode);
            var (_, forged) = Simulate(provider, new SimulatedTransfer(NewTransactionId(), stallAccount, 30_000, "x", now), "attacker-secret", now);
            secrets.AddRange(forged.Values.Where(v => v.Length >= 16));
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(Delivery(path, body.Replace("30000", "3000000"), forged))).StatusCode);
            Assert.True((await api.SendAsync(Delivery(path, "{not json " + stallAccount, headers))).StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized);
        }

        var entries = sink.Entries.ToList();
        Assert.True(entries.Count > 50, $"only {entries.Count} log entries: is the sink attached?");
        var leaks = (from entry in entries
                     from secret in secrets.Distinct()
                     where entry.Contains(secret, StringComparison.OrdinalIgnoreCase)
                        || secret.StartsWith("sha256=", StringComparison.Ordinal) && entry.Contains(secret[7..], StringComparison.OrdinalIgnoreCase)
                     select $"{secret[..Math.Min(6, secret.Length)]}… in: {entry[..Math.Min(300, entry.Length)]}").ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }
}
