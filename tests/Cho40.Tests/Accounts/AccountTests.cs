using System.Net;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Accounts;

public sealed class AccountTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    private static Dictionary<string, string> SignUpForm(string phone, string password = "mat-khau-1", string? confirm = null) => new()
    {
        ["Input.DisplayName"] = "Nguyễn Thị Lan",
        ["Input.Phone"] = phone,
        ["Input.Password"] = password,
        ["Input.ConfirmPassword"] = confirm ?? password,
    };

    [Fact]
    public async Task A_shopper_signs_up_with_a_mobile_number_and_signs_in_with_the_new_password()
    {
        var phone = Unique.Phone(); // 09xxxxxxxx, typed the international way below
        using var client = App.NewClient();
        var response = await client.SubmitFormAsync("/Account/SignUp", "main form", SignUpForm($"+84 {phone[1..4]} {phone[4..7]} {phone[7..]}"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/SignIn", response.Headers.Location?.OriginalString);

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        var hash = await connection.QuerySingleAsync<string>("SELECT password_hash FROM users WHERE phone = @phone", new { phone });
        Assert.DoesNotContain("mat-khau-1", hash);

        using var later = App.NewClient();
        await later.SignInAsync($"{phone[..4]} {phone[4..7]} {phone[7..]}", "mat-khau-1");
        var (account, page) = await later.GetPageAsync("/Account");
        Assert.Equal(HttpStatusCode.OK, account.StatusCode);
        Assert.Contains(phone, page.Body!.TextContent);
    }

    [Fact]
    public async Task Sign_up_errors_are_shown_next_to_each_field_in_Vietnamese_and_nothing_is_saved()
    {
        using var client = App.NewClient();
        var response = await client.SubmitFormAsync("/Account/SignUp", "main form", SignUpForm("0212345678", "ngan", "khac"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await PageClient.ParseAsync(response);
        Assert.Contains("Số điện thoại di động không hợp lệ", page.QuerySelector("[data-valmsg-for='Input.Phone']")!.TextContent);
        Assert.Contains("Mật khẩu cần từ 8", page.QuerySelector("[data-valmsg-for='Input.Password']")!.TextContent);
        Assert.Contains("không khớp", page.QuerySelector("[data-valmsg-for='Input.ConfirmPassword']")!.TextContent);

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM users WHERE phone = '0212345678'"));
    }

    /// <summary>
    /// Issue 12: sign-up used to say "this number is already registered" — a free check of who has an account. Now a
    /// registered number gets exactly the answer a new one gets (same redirect, same words, no cookie), and the old
    /// account is untouched: only its owner's password opens it.
    /// </summary>
    [Fact]
    public async Task Signing_up_with_a_registered_number_answers_exactly_like_a_new_number_and_changes_nothing()
    {
        async Task<(HttpResponseMessage Response, string Message)> SignUpAsync(string phone)
        {
            using var client = App.NewClient();
            var response = await client.SubmitFormAsync("/Account/SignUp", "main form", SignUpForm(phone, "mat-khau-ke-gian"));
            Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("cho40.auth", StringComparison.Ordinal)));
            var (_, signIn) = await client.GetPageAsync(response.Headers.Location!.OriginalString);
            return (response, signIn.QuerySelector(".flash")?.TextContent.Trim() ?? "");
        }

        var (taken, takenMessage) = await SignUpAsync("0900000006");      // the demo shopper's number
        var (fresh, freshMessage) = await SignUpAsync(Unique.Phone());     // nobody's yet
        Assert.Equal(HttpStatusCode.Redirect, taken.StatusCode);
        Assert.Equal(fresh.StatusCode, taken.StatusCode);
        Assert.Equal(fresh.Headers.Location, taken.Headers.Location);
        Assert.Equal(freshMessage, takenMessage);
        Assert.Contains("Đã nhận đăng ký", takenMessage);
        Assert.DoesNotContain("đã được đăng ký", takenMessage);

        // The existing account is unchanged: its own password works, the stranger's does not.
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        Assert.Equal("Hoàng Văn Mua", await connection.QuerySingleAsync<string>("SELECT display_name FROM users WHERE phone = '0900000006'"));
        using var stranger = App.NewClient();
        var refused = await stranger.SubmitFormAsync("/Account/SignIn", "main form",
            new Dictionary<string, string> { ["Input.Phone"] = "0900000006", ["Input.Password"] = "mat-khau-ke-gian" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        using var owner = App.NewClient();
        await owner.SignInAsync("0900000006");
    }

    [Fact]
    public async Task Forms_without_an_antiforgery_token_are_refused()
    {
        using var client = App.NewClient();
        var response = await client.Http.PostAsync("/Account/SignIn", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Phone"] = "0900000001", ["Input.Password"] = "cho40-demo",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("cho40.auth", StringComparison.Ordinal)));
    }
}

public sealed class SignInRateLimitTests
{
    [Fact]
    public async Task Sign_in_attempts_beyond_the_limit_get_429()
    {
        await using var app = new Cho40App(await TestDatabase.CreateAsync(withDemoData: true),
            settings: new Dictionary<string, string> { ["Cho40:SignInAttemptsPerMinute"] = "3" });
        using var client = app.NewClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var response = await client.SubmitFormAsync("/Account/SignIn", "main form",
                new Dictionary<string, string> { ["Input.Phone"] = "0900000006", ["Input.Password"] = "sai" });
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }
}
