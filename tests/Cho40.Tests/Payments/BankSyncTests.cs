using System.Net;
using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments;
using Cho40.Jobs;
using Cho40.Jobs.Payments.Providers;
using Cho40.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Payments.CreditedAccountTests;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Payments;

/// <summary>A local fake of the services' APIs, then the app (demo data) pointed at it with short HTTP timeouts.</summary>
public sealed class BankServicesFixture : IAsyncLifetime
{
    public FakeBankServices Fake { get; private set; } = null!;
    public Cho40App App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fake = await FakeBankServices.StartAsync();
        // Pages of 10, so that a few transactions make several pages.
        App = await Cho40App.StartAsync(withDemoData: true, settings: new Dictionary<string, string>(Fake.Settings) { ["Cho40:Payments:SyncPageSize"] = "10" });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Fake.DisposeAsync();
    }
}

/// <summary>
/// The safety net: a transaction whose webhook never came is found by reading the service's transactions API and booked
/// exactly once — also when the webhook arrives after the read, and when the read comes after the webhook; reads survive
/// 429 (waiting as Retry-After says), 5xx and timeouts from the service; a cursor per connection; a connection whose
/// reads keep failing is flagged on the stall's pages. Against <see cref="FakeBankServices"/>, the APIs' published shapes.
/// </summary>
public sealed class BankSyncTests(BankServicesFixture fixture)
    : IClassFixture<BankServicesFixture>
{
    private Cho40App App => fixture.App;
    private FakeBankServices Fake => fixture.Fake;

    private BankSyncJob Job => App.Services.GetRequiredService<BankSyncJob>();

    /// <summary>A new stall whose account is watched by a connection on <paramref name="provider"/> reading <paramref name="syncApi"/>.</summary>
    private async Task<(long Stall, string Account, BankConnection Connection)> StallWithSyncAsync(string provider, string syncApi)
    {
        var account = NewAccount("31");
        var stall = await StallForAccountAsync(App, account);
        var connection = await TestConnections.ForOwnerAsync(App, stall, provider);
        await App.Services.GetRequiredService<IntegrationSecrets>().SetAsync(BankConnections.SecretOwnerKind, connection.Id, PaymentIntake.ApiToken,
            provider == "sepay" ? FakeBankServices.SePayToken : FakeBankServices.CassoApiKey, App.Clock.GetUtcNow(), TimeSpan.Zero);
        await App.Services.GetRequiredService<BankConnections>().SetSyncApiAsync(connection.Id, syncApi);
        return (stall, account, connection);
    }

    private Task<long> TakingsAsync(long stall) =>
        ScalarAsync<long>(App, "SELECT coalesce(sum(amount_vnd), 0) FROM stall_payments WHERE stall_id = @stall", new { stall });

    private Task<long> StoredAsync(string provider, string account) => ScalarAsync<long>(App,
        "SELECT count(*) FROM provider_transactions WHERE provider = @provider AND account_number = @account", new { provider, account });

    [Theory]
    [InlineData("sepay_v1")]
    [InlineData("sepay_v2")]
    public async Task A_SePay_transaction_whose_webhook_never_came_is_booked_once_by_the_read_and_its_late_webhook_is_a_duplicate(string api)
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", api);
        var missed = Fake.Add(account, 72_000, "chuyen tien rau", App.Clock.GetUtcNow().AddMinutes(-40));
        var outgoing = Fake.Add(account, 0, "rut tien", App.Clock.GetUtcNow().AddMinutes(-39), amountOut: 500_000); // money going out: not takings

        var first = await Job.SyncAsync(connection.Id);
        Assert.Equal((true, 1, (string?)null), (first.Ran, first.NewTransfers, first.Error));
        Assert.Equal(72_000, await TakingsAsync(stall));
        Assert.Equal(1, await ScalarAsync<long>(App,
            "SELECT count(*) FROM bank_notifications WHERE connection_id = @Id AND source = 'sync'", new { connection.Id }));

        // Read again: nothing new. The cursor moved past it (v1 lists money going out too: the last id listed; v2 asks
        // only for incoming transfers: the last UUID).
        var again = await Job.SyncAsync(connection.Id);
        Assert.Equal((true, 0), (again.Ran, again.NewTransfers));
        var cursor = (await App.Services.GetRequiredService<BankConnections>().FindAsync(connection.Id))!.SyncCursor;
        Assert.Equal(api == "sepay_v1" ? outgoing.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : missed.Uuid.ToString(), cursor);

        // SePay retries the webhook after all (it carries SePay's numeric id and the bank reference): a duplicate.
        var body = $$"""{"id":{{missed.Id}},"gateway":"Vietcombank","transactionDate":"{{WebhookText.VietnamTimeText(missed.Time)}}","accountNumber":"{{account}}","code":null,"content":"chuyen tien rau","transferType":"in","transferAmount":72000,"accumulated":0,"subAccount":null,"referenceCode":"{{missed.Reference}}","description":""}""";
        using var http = App.CreateClient();
        var late = await http.SendAsync(Delivery(connection.WebhookPath, body, SePay.Headers(SePay.ModeHmac, Cho40App.WebhookSecrets["sepay"], body,
            App.Clock.GetUtcNow())));
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Contains("\"duplicates\":1", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(72_000, await TakingsAsync(stall));
        Assert.Equal(1, await StoredAsync("sepay", account));
    }

    [Theory]
    [InlineData("sepay_v1")]
    [InlineData("sepay_v2")]
    public async Task A_transaction_the_webhook_delivered_first_is_not_booked_again_by_the_read(string api)
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", api);
        var t = Fake.Add(account, 45_000, "mua trung", App.Clock.GetUtcNow().AddMinutes(-5));
        var body = $$"""{"id":{{t.Id}},"gateway":"Vietcombank","transactionDate":"{{WebhookText.VietnamTimeText(t.Time)}}","accountNumber":"{{account}}","code":null,"content":"mua trung","transferType":"in","transferAmount":45000,"accumulated":0,"subAccount":null,"referenceCode":"{{t.Reference}}","description":""}""";
        using var http = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(connection.WebhookPath, body, SePay.Headers(SePay.ModeHmac,
            Cho40App.WebhookSecrets["sepay"], body, App.Clock.GetUtcNow())))).StatusCode);

        var read = await Job.SyncAsync(connection.Id);
        Assert.Equal((true, 0, 1), (read.Ran, read.NewTransfers, read.Duplicates));
        Assert.Equal(45_000, await TakingsAsync(stall));
        Assert.Equal(1, await StoredAsync("sepay", account));
    }

    [Fact]
    public async Task SePay_v2_pages_through_since_id_oldest_first_and_only_this_accounts_money_is_read()
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", "sepay_v2");
        var start = App.Clock.GetUtcNow().AddHours(-3);
        var amounts = Enumerable.Range(1, 45).Select(i => 1_000L * i).ToList(); // five pages of 10
        foreach (var (amount, i) in amounts.Select((a, i) => (a, i))) Fake.Add(account, amount, "hang " + i, start.AddSeconds(i));
        Fake.Add(NewAccount("32"), 9_999_000, "someone else's", start.AddSeconds(5)); // another account of the same SePay company

        var read = await Job.SyncAsync(connection.Id);
        Assert.Equal((true, 45, (string?)null), (read.Ran, read.NewTransfers, read.Error));
        Assert.Equal(amounts.Sum(), await TakingsAsync(stall));
        Assert.True(Fake.Requests.Count(r => r.StartsWith("sepay-v2 ", StringComparison.Ordinal) && r.Contains("account_number=" + account, StringComparison.Ordinal)) >= 5);
    }

    [Fact]
    public async Task Casso_pages_are_read_and_a_transfer_already_delivered_by_webhook_v2_counts_once()
    {
        var (stall, account, connection) = await StallWithSyncAsync("casso", "casso_v2");
        var now = App.Clock.GetUtcNow();
        var delivered = Fake.Add(account, 30_000, "Nguyễn Văn A chuyển tiền", now.AddMinutes(-20));
        var missed = Enumerable.Range(0, 23).Select(i => Fake.Add(account, 10_000 + i, "giao dich " + i, now.AddMinutes(-19 + i))).ToList();

        // Casso's webhook v2 brought the first one (same id as the API's).
        using var http = App.CreateClient();
        var v2 = new System.Text.Json.Nodes.JsonObject
        {
            ["error"] = 0,
            ["data"] = new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = delivered.Id, ["reference"] = delivered.Reference, ["description"] = "Nguyễn Văn A chuyển tiền", ["amount"] = 30000,
                ["runningBalance"] = 1, ["transactionDateTime"] = WebhookText.VietnamTimeText(delivered.Time), ["accountNumber"] = account,
                ["bankName"] = "ACB", ["bankAbbreviation"] = "ACB", ["virtualAccountNumber"] = "", ["virtualAccountName"] = "",
                ["counterAccountName"] = "", ["counterAccountNumber"] = "", ["counterAccountBankId"] = "", ["counterAccountBankName"] = "",
            },
        }.ToJsonString();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Delivery(connection.WebhookPath, v2,
            new Dictionary<string, string> { ["X-Casso-Signature"] = Casso.Signature(v2, Cho40App.WebhookSecrets["casso"], now) }))).StatusCode);

        var read = await Job.SyncAsync(connection.Id);
        Assert.Equal((true, 23, 1), (read.Ran, read.NewTransfers, read.Duplicates));
        Assert.Equal(30_000 + missed.Sum(t => t.AmountIn), await TakingsAsync(stall));
        Assert.True(Fake.Requests.Count(r => r.StartsWith("casso ", StringComparison.Ordinal) && r.Contains("page=3", StringComparison.Ordinal)) >= 1);
    }

    [Theory]
    [InlineData("429")]
    [InlineData("5xx")]
    [InlineData("timeout")]
    public async Task A_read_survives_429_with_Retry_After_5xx_and_timeouts_and_books_the_transfer_once(string fault)
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", "sepay_v1");
        Fake.Add(account, 88_000, "rau cu", App.Clock.GetUtcNow().AddMinutes(-30));
        FakeFault[] faults = fault switch
        {
            "429" => [new FakeFault.TooMany(1), new FakeFault.TooMany(1)],
            "5xx" => [new FakeFault.ServerError(502), new FakeFault.ServerError(503)],
            _ => [new FakeFault.Hang(TimeSpan.FromSeconds(3))],
        };
        var before = Fake.Requests.Count(r => r.StartsWith("sepay-v1 ", StringComparison.Ordinal));
        Fake.Fail("sepay-v1", faults);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var read = await Job.SyncAsync(connection.Id);

        Assert.Equal((true, 1, (string?)null), (read.Ran, read.NewTransfers, read.Error));
        Assert.Equal(88_000, await TakingsAsync(stall));
        Assert.Equal(before + faults.Length + 1, Fake.Requests.Count(r => r.StartsWith("sepay-v1 ", StringComparison.Ordinal)));
        // 429 "Retry-After: 1" was waited for, twice (the backoff alone would have been ~50–100 ms).
        if (fault == "429") Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"retried after {clock.Elapsed}");
        Assert.Equal(0, (await App.Services.GetRequiredService<BankConnections>().FindAsync(connection.Id))!.SyncFailures);
    }

    [Fact]
    public async Task A_connection_whose_reads_keep_failing_keeps_its_cursor_counts_the_failures_and_is_flagged_on_the_stall_list()
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", "sepay_v1");
        var first = Fake.Add(account, 20_000, "lan 1", App.Clock.GetUtcNow().AddMinutes(-50));
        Assert.Equal(1, (await Job.SyncAsync(connection.Id)).NewTransfers);
        Fake.Add(account, 25_000, "lan 2", App.Clock.GetUtcNow().AddMinutes(-10));
        // Every attempt of three reads fails (the service is down).
        Fake.Fail("sepay-v1", Enumerable.Repeat<FakeFault>(new FakeFault.ServerError(500), 12).ToArray());
        for (var i = 0; i < 3; i++) Assert.NotNull((await Job.SyncAsync(connection.Id)).Error);

        var state = (await App.Services.GetRequiredService<BankConnections>().FindAsync(connection.Id))!;
        Assert.Equal(3, state.SyncFailures);
        Assert.Equal(first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), state.SyncCursor);
        Assert.Contains("500", state.LastSyncError, StringComparison.Ordinal);
        await Cho40.Tests.Shop.ShopHelpers.ExecuteAsync(App, "UPDATE stalls SET owner_user_id = (SELECT id FROM users WHERE phone = '0900000004') WHERE id = @stall",
            new { stall });
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000004");
        var (_, list) = await owner.GetPageAsync("/Stall");
        Assert.Contains(list.QuerySelectorAll(".sync-flag"), f => f.TextContent.Contains("3 lần", StringComparison.Ordinal));
        var (_, bank) = await owner.GetPageAsync($"/Stall/{stall}/Bank");
        Assert.Contains("lỗi 3 lần liên tiếp", bank.QuerySelector("#sync-flag")!.TextContent, StringComparison.Ordinal);

        // The service is back: the next read catches up from the cursor and the flag goes.
        var recovered = await Job.SyncAsync(connection.Id);
        Assert.Equal((1, (string?)null), (recovered.NewTransfers, recovered.Error));
        Assert.Equal(45_000, await TakingsAsync(stall));
        Assert.Equal(0, (await App.Services.GetRequiredService<BankConnections>().FindAsync(connection.Id))!.SyncFailures);
        var (_, after) = await owner.GetPageAsync("/Stall");
        Assert.Empty(after.QuerySelectorAll(".sync-flag"));
        Assert.Contains(after.QuerySelectorAll(".bank-connection-state"), s => s.TextContent.Contains("đối soát lần cuối", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_API_token_fails_the_read_with_a_message_a_person_can_act_on_and_books_nothing()
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", "sepay_v1");
        await App.Services.GetRequiredService<IntegrationSecrets>().SetAsync(BankConnections.SecretOwnerKind, connection.Id, PaymentIntake.ApiToken,
            "wrong-token", App.Clock.GetUtcNow(), TimeSpan.Zero);
        Fake.Add(account, 15_000, "x", App.Clock.GetUtcNow().AddMinutes(-5));
        var read = await Job.SyncAsync(connection.Id);
        Assert.Contains("API token", read.Error, StringComparison.Ordinal);
        Assert.Equal(0, await TakingsAsync(stall));
    }

    [Fact]
    public async Task The_recurring_job_reads_every_connection_with_an_API_and_leaves_the_others_alone()
    {
        var (stallA, accountA, _) = await StallWithSyncAsync("sepay", "sepay_v1");
        var (stallB, accountB, _) = await StallWithSyncAsync("casso", "casso_v2");
        var accountC = NewAccount("33");
        var stallC = await StallForAccountAsync(App, accountC);
        await TestConnections.ForOwnerAsync(App, stallC, "sepay"); // webhook only: no API token
        Fake.Add(accountA, 11_000, "a", App.Clock.GetUtcNow().AddMinutes(-3));
        Fake.Add(accountB, 12_000, "b", App.Clock.GetUtcNow().AddMinutes(-3));
        Fake.Add(accountC, 13_000, "c", App.Clock.GetUtcNow().AddMinutes(-3));

        await Job.RunAllAsync();

        Assert.Equal((11_000L, 12_000L, 0L), (await TakingsAsync(stallA), await TakingsAsync(stallB), await TakingsAsync(stallC)));
        // The recurring job is registered once (every process registers it at start-up under one id).
        var registered = App.Services.GetRequiredService<BankSyncSchedule>();
        registered.Register();
        registered.Register();
        using var storage = App.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        Assert.Contains(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(storage), j => j.Id == BankSyncJob.RecurringJobId && j.Cron == "*/15 * * * *");
    }

    /// <summary>A job process's services over the app's database, with the fake's settings and some of our own.</summary>
    private ServiceProvider JobProcess(IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = Fake.Settings;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>()) settings[key] = value;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNpgsqlDataSource(App.ConnectionString);
        services.AddSingleton(TimeProvider.System);
        services.AddCho40Jobs(App.ConnectionString, runServer: false);
        services.AddCho40Payments(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_service_failing_every_call_opens_the_circuit_and_later_reads_do_not_call_it_until_it_closes()
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", "sepay_v1");
        Fake.Add(account, 31_000, "mach ngat", App.Clock.GetUtcNow().AddMinutes(-4));
        // A process of its own, so the breaker (per service, per process) is this test's: it opens when half of at least 2
        // calls fail, for 30 s.
        await using var process = JobProcess(new Dictionary<string, string>
        {
            ["Cho40:Payments:CircuitBreakerMinimumThroughput"] = "2", ["Cho40:Payments:CircuitBreakerBreakSeconds"] = "30",
        });
        var job = process.GetRequiredService<BankSyncJob>();
        int Calls() => Fake.Requests.Count(r => r.StartsWith("sepay-v1 ", StringComparison.Ordinal));
        var before = Calls();
        // Exactly two failures queued: a third call reaching the fake would be answered — and the read would succeed.
        Fake.Fail("sepay-v1", new FakeFault.ServerError(500), new FakeFault.ServerError(500));

        var first = await job.SyncAsync(connection.Id);
        var second = await job.SyncAsync(connection.Id);

        Assert.Equal(before + 2, Calls()); // the retries after the second failure, and the whole second read, never left the process
        Assert.Equal("Dịch vụ đang lỗi liên tục: tạm ngừng gọi trong ít phút.", first.Error);
        Assert.Equal(first.Error, second.Error);
        Assert.Equal(0, await TakingsAsync(stall));
        Assert.Equal(2, (await App.Services.GetRequiredService<BankConnections>().FindAsync(connection.Id))!.SyncFailures);
        // Another process (the app's own clients) has its own circuit and reads the transfer.
        Assert.Equal(1, (await Job.SyncAsync(connection.Id)).NewTransfers);
        Assert.Equal(31_000, await TakingsAsync(stall));
    }

    [Fact]
    public async Task A_job_process_built_as_JobsProgram_builds_it_runs_the_safety_net_with_keys_the_web_process_sealed()
    {
        var (stall, account, connection) = await StallWithSyncAsync("sepay", "sepay_v1"); // sealed by the web app's key ring
        Fake.Add(account, 19_000, "tu tien trinh tac vu", App.Clock.GetUtcNow().AddMinutes(-2));
        await using var jobProcess = JobProcess();

        var read = await jobProcess.GetRequiredService<BankSyncJob>().SyncAsync(connection.Id);

        Assert.Equal((true, 1, (string?)null), (read.Ran, read.NewTransfers, read.Error));
        Assert.Equal(19_000, await TakingsAsync(stall));
        Assert.NotNull(jobProcess.GetRequiredService<PayOsLinkJob>());
    }
}
