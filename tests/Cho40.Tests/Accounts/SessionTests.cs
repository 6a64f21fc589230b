using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Security;
using Cho40.Web.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Accounts;

/// <summary>
/// Issue 12: signing out did not end the session — a copy of the cookie kept working for 14 days — and there was no way
/// to change a password or sign out other devices. Real HTTP on a Kestrel socket; "devices" are separate cookie jars.
/// </summary>
public sealed class SessionTests(KestrelAppFixture fixture) : IClassFixture<KestrelAppFixture>
{
    /// <summary>A browser of its own (its cookie jar kept, so a test can copy the sign-in cookie out of it).</summary>
    private (PageClient Client, CookieContainer Cookies) NewDevice()
    {
        var cookies = new CookieContainer();
        var handler = new SocketsHttpHandler { CookieContainer = cookies, UseCookies = true, AllowAutoRedirect = false };
        return (new PageClient(new HttpClient(handler) { BaseAddress = new Uri(fixture.BaseUrl), Timeout = TimeSpan.FromSeconds(60) }), cookies);
    }

    private string AuthCookie(CookieContainer cookies) =>
        cookies.GetCookies(new Uri(fixture.BaseUrl))["cho40.auth"]?.Value ?? throw new InvalidOperationException("not signed in");

    /// <summary>A request carrying nothing but a copied cookie, as an attacker who stole it would send it.</summary>
    private async Task<HttpStatusCode> WithCopiedCookieAsync(string cookie)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Account");
        request.Headers.Add("Cookie", "cho40.auth=" + cookie);
        var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Redirect)
            Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> AccountPageAsync(PageClient device) => (await device.Http.GetAsync("/Account")).StatusCode;

    private static async Task<HttpResponseMessage> PostOnAccountPageAsync(PageClient device, string handler)
    {
        var (_, page) = await device.GetPageAsync("/Account");
        return await device.SubmitAsync(page, $"form[action*='handler={handler}']", new Dictionary<string, string>());
    }

    [Fact]
    public async Task A_cookie_copied_before_sign_out_is_refused_after_it()
    {
        var (person, cookies) = NewDevice();
        using var _ = person;
        await person.SignUpAsync("0932000001", "mua-he-o-thai-nguyen");
        var copied = AuthCookie(cookies);
        Assert.Equal(HttpStatusCode.OK, await WithCopiedCookieAsync(copied));   // the copy works while the session lives

        var (_, page) = await person.GetPageAsync("/Account");
        var signedOut = await person.SubmitAsync(page, "form[action='/Account/SignOut']", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        // Before the fix: 200 for 14 days (sliding). Now the stamp the cookie carries is gone.
        Assert.Equal(HttpStatusCode.Redirect, await WithCopiedCookieAsync(copied));
        Assert.Equal(HttpStatusCode.Redirect, await AccountPageAsync(person));
    }

    [Fact]
    public async Task Changing_the_password_on_one_device_signs_out_every_other_and_keeps_this_one()
    {
        using var deviceA = fixture.NewClient();
        await deviceA.SignUpAsync("0932000002", "doi-che-bon-mua");
        var (deviceB, cookiesB) = NewDevice();
        using var _ = deviceB;
        await deviceB.SignInAsync("0932000002", "doi-che-bon-mua");
        var copiedFromB = AuthCookie(cookiesB);
        Assert.Equal(HttpStatusCode.OK, await AccountPageAsync(deviceB));

        var changed = await deviceA.SubmitFormAsync("/Account/Password", "main form", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = "doi-che-bon-mua", ["Input.NewPassword"] = "nuoc-suoi-trong-veo", ["Input.ConfirmPassword"] = "nuoc-suoi-trong-veo",
        });
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);

        Assert.Equal(HttpStatusCode.OK, await AccountPageAsync(deviceA));
        Assert.Equal(HttpStatusCode.Redirect, await AccountPageAsync(deviceB));
        Assert.Equal(HttpStatusCode.Redirect, await WithCopiedCookieAsync(copiedFromB));

        using var later = fixture.NewClient();
        await Assert.ThrowsAsync<InvalidOperationException>(() => later.SignInAsync("0932000002", "doi-che-bon-mua"));
        await later.SignInAsync("0932000002", "nuoc-suoi-trong-veo");
    }

    [Fact]
    public async Task A_password_change_needs_the_current_password_and_a_strong_new_one()
    {
        using var device = fixture.NewClient();
        await device.SignUpAsync("0932000003", "ca-phe-trung-ha-noi");
        async Task<AngleSharp.Dom.IDocument> ChangeAsync(string current, string next)
        {
            var response = await device.SubmitFormAsync("/Account/Password", "main form", new Dictionary<string, string>
            {
                ["Input.CurrentPassword"] = current, ["Input.NewPassword"] = next, ["Input.ConfirmPassword"] = next,
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await PageClient.ParseAsync(response);
        }
        var wrongCurrent = await ChangeAsync("khong-phai-mat-khau", "song-cau-chieu-tim");
        Assert.Contains("Mật khẩu đang dùng không đúng", wrongCurrent.QuerySelector("[data-valmsg-for='Input.CurrentPassword']")!.TextContent);
        var weak = await ChangeAsync("ca-phe-trung-ha-noi", "12345678");
        Assert.Contains("dãy số", weak.QuerySelector("[data-valmsg-for='Input.NewPassword']")!.TextContent);
        var phone = await ChangeAsync("ca-phe-trung-ha-noi", "0932000003");
        Assert.Contains("số điện thoại", phone.QuerySelector("[data-valmsg-for='Input.NewPassword']")!.TextContent);

        using var later = fixture.NewClient();
        await later.SignInAsync("0932000003", "ca-phe-trung-ha-noi");    // nothing changed
    }

    [Fact]
    public async Task Signing_out_other_devices_ends_their_sessions_and_keeps_this_one()
    {
        using var phone = fixture.NewClient();
        await phone.SignUpAsync("0932000004", "mang-tre-luoc-cham");
        using var marketTablet = fixture.NewClient();
        await marketTablet.SignInAsync("0932000004", "mang-tre-luoc-cham");

        var done = await PostOnAccountPageAsync(phone, "SignOutOthers");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await AccountPageAsync(phone));
        Assert.Equal(HttpStatusCode.Redirect, await AccountPageAsync(marketTablet));
    }

    /// <summary>
    /// A role taken away ends the sessions too. Nothing in this process was told (another web process could have done
    /// it), so the cookie lives on at most <see cref="SessionStamps.CacheFor"/> — the documented bound.
    /// </summary>
    [Fact]
    public async Task Removing_a_role_ends_the_sessions_within_the_stamp_cache_time()
    {
        using var helper = fixture.NewClient();
        await helper.SignUpAsync("0932000005", "to-cong-nghe-so-xa");
        var accounts = fixture.App.Services.GetRequiredService<Db.Accounts>();
        await using var db = new NpgsqlConnection(fixture.App.ConnectionString);
        var userId = await db.ExecuteScalarAsync<long>("SELECT id FROM users WHERE phone = '0932000005'");
        await accounts.GrantRoleAsync(userId, Db.Domain.Roles.DigitalHelper);
        fixture.App.Clock.Advance(SessionStamps.CacheFor + TimeSpan.FromSeconds(1));
        var (_, account) = await helper.GetPageAsync("/Account");                  // the new role arrived, no new sign-in
        Assert.Contains("Tổ công nghệ số cộng đồng", account.Body!.TextContent);

        Assert.True(await accounts.RevokeRoleAsync(userId, Db.Domain.Roles.DigitalHelper));
        fixture.App.Clock.Advance(SessionStamps.CacheFor + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Redirect, await AccountPageAsync(helper));
    }

    /// <summary>
    /// The owner's way back in when she forgot her password (and what the neutral sign-up answer points to): an admin
    /// checks her papers and gives her a code; with it she sets a new password, and every old session ends.
    /// </summary>
    [Fact]
    public async Task An_admin_gives_a_reset_code_and_the_owner_sets_a_new_password_with_it()
    {
        using var oldPhone = fixture.NewClient();
        await oldPhone.SignUpAsync("0932000006", "quen-mat-roi-day");

        using var admin = fixture.NewClient();
        await admin.SignInAsync("0900000001");
        var issued = await admin.SubmitFormAsync("/Admin/Accounts", "main form", new Dictionary<string, string> { ["Phone"] = "0932 000 006" });
        Assert.Equal(HttpStatusCode.Redirect, issued.StatusCode);
        var (_, shown) = await admin.GetPageAsync("/Admin/Accounts");
        var code = System.Text.RegularExpressions.Regex.Match(shown.QuerySelector(".flash")!.TextContent, @"\b\d{6}\b").Value;
        Assert.Equal(6, code.Length);

        using var owner = fixture.NewClient();
        var reset = await owner.SubmitFormAsync("/Stall/Activate", "main form", new Dictionary<string, string>
        {
            ["Input.Phone"] = "0932000006", ["Input.Code"] = code, ["Input.Password"] = "nho-roi-khong-quen", ["Input.ConfirmPassword"] = "nho-roi-khong-quen",
        });
        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        await owner.SignInAsync("0932000006", "nho-roi-khong-quen");
        Assert.Equal(HttpStatusCode.Redirect, await AccountPageAsync(oldPhone));   // the old session ended with the old password

        // A shopper cannot issue codes.
        using var shopper = fixture.NewClient();
        await shopper.SignInAsync("0900000006");
        Assert.Equal(HttpStatusCode.Redirect, (await shopper.Http.GetAsync("/Admin/Accounts")).StatusCode);
    }
}
