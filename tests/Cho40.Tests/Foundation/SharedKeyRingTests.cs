using System.Net;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Foundation;

public sealed class SharedKeyRingTests
{
    [Fact]
    public async Task A_sign_in_made_through_one_web_instance_is_valid_on_another()
    {
        var database = await TestDatabase.CreateAsync(withDemoData: true);
        await using var first = new Cho40App(database);
        await using var second = new Cho40App(database);
        var browserCookies = new CookieContainer();

        using var viaFirst = first.NewClient(browserCookies);
        await viaFirst.SignInAsync("0900000001");

        // The same browser, load-balanced onto the other instance: still signed in, still an admin,
        // and a form rendered by one instance posts fine to the other (antiforgery keys are shared too).
        using var viaSecond = second.NewClient(browserCookies);
        Assert.Equal(HttpStatusCode.OK, (await viaSecond.Http.GetAsync("/Admin")).StatusCode);
        var (_, formFromFirst) = await viaFirst.GetPageAsync("/Account");
        var signOut = await viaSecond.SubmitAsync(formFromFirst, "form[action='/Account/SignOut']", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        await using var connection = new NpgsqlConnection(database);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM data_protection_keys"));
    }
}
