using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Security;
using Cho40.Web.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Accounts;

/// <summary>What one attempt at a secret came to, read from the page that answered it.</summary>
public enum AttemptOutcome { Accepted, Wrong, Throttled }

/// <summary>Sends sign-in and activation forms the way an attacker would: many at once, from chosen addresses.</summary>
public static class Attacker
{
    public const string ThrottledText = "Bạn đã thử sai nhiều lần";

    /// <summary>
    /// Posts every form to <paramref name="url"/> at the same time over one client (one antiforgery token, read first),
    /// and says for each what the answer was.
    /// </summary>
    public static async Task<AttemptOutcome[]> InParallelAsync(PageClient client, string url, IEnumerable<Dictionary<string, string>> forms)
    {
        var token = await TokenAsync(client, url);
        var requests = forms.Select(f => new FormUrlEncodedContent(f.Append(new("__RequestVerificationToken", token)))).ToList();
        using var start = new ManualResetEventSlim();
        var tasks = requests.Select(content => Task.Run(async () =>
        {
            start.Wait();
            return await OutcomeAsync(await client.Http.PostAsync(url, content));
        })).ToList();
        start.Set();
        return await Task.WhenAll(tasks);
    }

    public static async Task<AttemptOutcome> OnceAsync(PageClient client, string url, Dictionary<string, string> form, string? forwardedFor = null)
    {
        var token = await TokenAsync(client, url);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(form.Append(new("__RequestVerificationToken", token))),
        };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await OutcomeAsync(await client.Http.SendAsync(request));
    }

    public static Dictionary<string, string> SignIn(string phone, string password) =>
        new() { ["Input.Phone"] = phone, ["Input.Password"] = password };

    public static Dictionary<string, string> Activation(string phone, string code) => new()
    {
        ["Input.Phone"] = phone, ["Input.Code"] = code, ["Input.Password"] = "vuon-che-sau-nha", ["Input.ConfirmPassword"] = "vuon-che-sau-nha",
    };

    private static async Task<string> TokenAsync(PageClient client, string url)
    {
        var (_, page) = await client.GetPageAsync(url);
        return page.QuerySelector("main form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
    }

    private static async Task<AttemptOutcome> OutcomeAsync(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Redirect) return AttemptOutcome.Accepted;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = (await PageClient.ParseAsync(response)).QuerySelector("main form")!.TextContent;
        return text.Contains(ThrottledText, StringComparison.Ordinal) ? AttemptOutcome.Throttled : AttemptOutcome.Wrong;
    }
}

/// <summary>
/// Issue 12, on a real Kestrel socket with connections from chosen loopback addresses (each its own client to the app):
/// parallel guesses are counted before they are checked; nobody can lock an account (the admin's) out for its owner.
/// </summary>
public sealed class SignInAttackTests(KestrelAppFixture fixture) : IClassFixture<KestrelAppFixture>
{
    private Cho40App App => fixture.App;
    private Passwords Passwords => App.Services.GetRequiredService<Passwords>();

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        return (await connection.ExecuteScalarAsync<T>(sql, args))!;
    }

    /// <summary>A new account with a stall owner's activation code, made the way the helper's page makes them.</summary>
    private async Task<string> OwnerWithCodeAsync(string phone, string code)
    {
        var accounts = App.Services.GetRequiredService<Db.Accounts>();
        var userId = await accounts.CreateAsync(phone, "Chủ sạp thử", Passwords.Hash(Guid.NewGuid().ToString()), [Db.Domain.Roles.Stallholder])
                     ?? throw new InvalidOperationException("phone taken");
        var helper = await ScalarAsync<long>("SELECT id FROM users WHERE phone = '0900000005'");
        await App.Services.GetRequiredService<ActivationCodes>().IssueAsync(userId, Passwords.Hash(code), helper, App.Clock.GetUtcNow().AddDays(7));
        return phone;
    }

    [Fact]
    public async Task Twelve_simultaneous_wrong_passwords_are_checked_at_most_five_times()
    {
        using var owner = fixture.NewClient(fromAddress: "127.0.1.1");
        await owner.SignUpAsync("0931000001", "che-tan-cuong-sau-mua");
        using var attacker = fixture.NewClient(fromAddress: "127.0.1.2");

        var before = Passwords.Verifications;
        var outcomes = await Attacker.InParallelAsync(attacker, "/Account/SignIn",
            Enumerable.Range(0, 12).Select(i => Attacker.SignIn("0931000001", $"doan-bua-{i}")));
        var checkedCount = Passwords.Verifications - before;

        // Before the fix all of them were checked: the count was read when each request began and written after the
        // slow hash. Now each takes its place in the count first, and the ones past the allowance are never checked.
        Assert.Equal(5, checkedCount);
        Assert.Equal(5, outcomes.Count(o => o == AttemptOutcome.Wrong));
        Assert.Equal(7, outcomes.Count(o => o == AttemptOutcome.Throttled));
        // The right password, next, from the same attacker: refused unchecked.
        Assert.Equal(AttemptOutcome.Throttled, await Attacker.OnceAsync(attacker, "/Account/SignIn", Attacker.SignIn("0931000001", "che-tan-cuong-sau-mua")));
        Assert.Equal(5, Passwords.Verifications - before);
    }

    [Fact]
    public async Task Ten_simultaneous_activation_codes_are_checked_at_most_five_times_and_the_right_code_then_fails()
    {
        var phone = await OwnerWithCodeAsync("0931000002", "246813");
        using var attacker = fixture.NewClient(fromAddress: "127.0.1.3");

        var outcomes = await Attacker.InParallelAsync(attacker, "/Stall/Activate",
            Enumerable.Range(0, 10).Select(i => Attacker.Activation(phone, (100_000 + i).ToString())));
        Assert.Equal(5, outcomes.Count(o => o == AttemptOutcome.Wrong));
        Assert.Equal(5, outcomes.Count(o => o == AttemptOutcome.Throttled));
        Assert.Equal(5, await ScalarAsync<int>(
            "SELECT a.attempts FROM account_activation_codes a JOIN users u ON u.id = a.user_id WHERE u.phone = @phone", new { phone }));

        // The attack of issue 12 was nine wrong codes and the right one at once, all checked: the right one now arrives
        // after the allowance, from this client (throttled) and from any other (the code has no attempts left).
        Assert.Equal(AttemptOutcome.Throttled, await Attacker.OnceAsync(attacker, "/Stall/Activate", Attacker.Activation(phone, "246813")));
        using var elsewhere = fixture.NewClient(fromAddress: "127.0.1.4");
        Assert.Equal(AttemptOutcome.Wrong, await Attacker.OnceAsync(elsewhere, "/Stall/Activate", Attacker.Activation(phone, "246813")));
    }

    [Fact]
    public async Task An_activation_code_dies_after_five_guesses_even_from_ten_different_addresses_at_once()
    {
        var phone = await OwnerWithCodeAsync("0931000003", "864202");
        // Ten attackers, each from its own address: no per-client count stops them; the code's own count does.
        var attackers = Enumerable.Range(0, 10).Select(i => fixture.NewClient(fromAddress: $"127.0.2.{i + 1}")).ToList();
        try
        {
            var outcomes = await Task.WhenAll(attackers.Select((a, i) =>
                Attacker.OnceAsync(a, "/Stall/Activate", Attacker.Activation(phone, (200_000 + i).ToString()))));
            Assert.All(outcomes, o => Assert.Equal(AttemptOutcome.Wrong, o));
            Assert.Equal(5, await ScalarAsync<int>(
                "SELECT a.attempts FROM account_activation_codes a JOIN users u ON u.id = a.user_id WHERE u.phone = @phone", new { phone }));

            // The right code now fails too: the code is dead, the owner asks the helper for a new one.
            using var owner = fixture.NewClient(fromAddress: "127.0.2.100");
            Assert.Equal(AttemptOutcome.Wrong, await Attacker.OnceAsync(owner, "/Stall/Activate", Attacker.Activation(phone, "864202")));
            Assert.Equal(1, await ScalarAsync<int>(
                "SELECT count(*) FROM account_activation_codes a JOIN users u ON u.id = a.user_id WHERE u.phone = @phone", new { phone }));
        }
        finally
        {
            attackers.ForEach(a => a.Dispose());
        }
    }

    /// <summary>
    /// Issue 12: five wrong passwords used to lock any account — the admin's included — for everyone, again and again.
    /// Now a stranger's failures slow down the stranger; many strangers together close the account to unknown browsers
    /// only, and the owner still signs in from the phone she used before.
    /// </summary>
    [Fact]
    public async Task Nobody_can_lock_the_admin_out_with_wrong_passwords()
    {
        const string admin = "0900000001";
        using var adminsPhone = fixture.NewClient(fromAddress: "127.0.3.1");
        await adminsPhone.SignInAsync(admin);                 // her own phone: it keeps a trusted-device cookie

        using var attacker = fixture.NewClient(fromAddress: "127.0.3.2");
        var outcomes = new List<AttemptOutcome>();
        for (var i = 0; i < 8; i++) outcomes.Add(await Attacker.OnceAsync(attacker, "/Account/SignIn", Attacker.SignIn(admin, $"doan-{i}")));
        Assert.Equal([.. Enumerable.Repeat(AttemptOutcome.Wrong, 5), .. Enumerable.Repeat(AttemptOutcome.Throttled, 3)], outcomes);

        // The admin, from another network and a browser she never used, signs in at once.
        using var adminsLaptop = fixture.NewClient(fromAddress: "127.0.3.3");
        Assert.Equal(AttemptOutcome.Accepted, await Attacker.OnceAsync(adminsLaptop, "/Account/SignIn", Attacker.SignIn(admin, "cho40-demo")));

        // The attacker waits a minute for one more guess, then two minutes (doubling).
        App.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(AttemptOutcome.Wrong, await Attacker.OnceAsync(attacker, "/Account/SignIn", Attacker.SignIn(admin, "doan-9")));
        Assert.Equal(AttemptOutcome.Throttled, await Attacker.OnceAsync(attacker, "/Account/SignIn", Attacker.SignIn(admin, "doan-10")));
        App.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(AttemptOutcome.Throttled, await Attacker.OnceAsync(attacker, "/Account/SignIn", Attacker.SignIn(admin, "doan-11")));

        // Twenty more strangers from as many networks reach the number's shared ceiling: unknown browsers wait...
        for (var n = 0; n < 20; n++)
        {
            using var stranger = fixture.NewClient(fromAddress: $"127.0.4.{n + 1}");
            await Attacker.OnceAsync(stranger, "/Account/SignIn", Attacker.SignIn(admin, $"doan-{n}-a"));
        }
        using var newBrowser = fixture.NewClient(fromAddress: "127.0.3.4");
        Assert.Equal(AttemptOutcome.Throttled, await Attacker.OnceAsync(newBrowser, "/Account/SignIn", Attacker.SignIn(admin, "cho40-demo")));
        // ...but her own phone, which signed in before, still gets in.
        Assert.Equal(AttemptOutcome.Accepted, await Attacker.OnceAsync(adminsPhone, "/Account/SignIn", Attacker.SignIn(admin, "cho40-demo")));
        App.Clock.Advance(TimeSpan.FromHours(2));
    }

    [Fact]
    public async Task A_wrong_password_answer_says_nothing_about_whose_account_it_is()
    {
        using var client = fixture.NewClient(fromAddress: "127.0.5.1");
        var known = await client.SubmitFormAsync("/Account/SignIn", "main form", Attacker.SignIn("0900000006", "sai-mat-khau"));
        var unknown = await client.SubmitFormAsync("/Account/SignIn", "main form", Attacker.SignIn("0977123456", "sai-mat-khau"));
        string Errors(AngleSharp.Dom.IDocument page) => page.QuerySelector(".form-errors")!.TextContent.Trim();
        Assert.Equal(Errors(await PageClient.ParseAsync(known)), Errors(await PageClient.ParseAsync(unknown)));
    }
}

/// <summary>Per-client limits count an IPv6 client by its /64 (one home or phone can use any address in it).</summary>
public sealed class Ipv6ClientFixture : KestrelAppFixture
{
    protected override Dictionary<string, string> Settings => new()
    {
        ["Cho40:SignInAttemptsPerMinute"] = "1000", ["Cho40:PublicApiRequestsPerMinute"] = "6",
    };
}

public sealed class Ipv6ClientTests(Ipv6ClientFixture fixture) : IClassFixture<Ipv6ClientFixture>
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:12:34:1:2:3:4", "2001:db8:12:34::/64")]
    [InlineData("2001:db8:12:34:ffff:ffff:ffff:ffff", "2001:db8:12:34::/64")]
    [InlineData("2001:db8:12:35::1", "2001:db8:12:35::/64")]
    public void An_IPv6_client_is_its_64_network_and_an_IPv4_client_its_address(string address, string key) =>
        Assert.Equal(key, RateLimits.ClientKey(IPAddress.Parse(address)));

    /// <summary>Through the trusted proxy (loopback), X-Forwarded-For names the client: a new address in the same /64 is the same client.</summary>
    [Fact]
    public async Task Rotating_addresses_inside_one_IPv6_64_does_not_buy_new_budgets()
    {
        using var proxy = fixture.NewClient();
        async Task<HttpStatusCode> ApiAsync(string from)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/vietqr?bin=970436&account=0011001234567");
            request.Headers.Add("X-Forwarded-For", from);
            return (await proxy.Http.SendAsync(request)).StatusCode;
        }
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 8; i++) statuses.Add(await ApiAsync($"2001:db8:77:1::{i:x}"));
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 6), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, await ApiAsync("2001:db8:77:2::1"));

        // The sign-in throttle too: five wrong passwords from five addresses of one /64, then the sixth address waits.
        for (var i = 1; i <= 5; i++)
            Assert.Equal(AttemptOutcome.Wrong, await Attacker.OnceAsync(proxy, "/Account/SignIn", Attacker.SignIn("0900000006", $"doan-{i}"), $"2001:db8:77:1::{i + 100:x}"));
        Assert.Equal(AttemptOutcome.Throttled, await Attacker.OnceAsync(proxy, "/Account/SignIn", Attacker.SignIn("0900000006", "doan-6"), "2001:db8:77:1:abcd::1"));
        Assert.Equal(AttemptOutcome.Wrong, await Attacker.OnceAsync(proxy, "/Account/SignIn", Attacker.SignIn("0900000006", "doan-7"), "2001:db8:77:3::1"));
    }
}
