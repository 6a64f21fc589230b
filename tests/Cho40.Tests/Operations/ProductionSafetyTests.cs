using System.Net;
using System.Net.Http.Headers;
using Cho40.Tests.Infrastructure;

namespace Cho40.Tests.Operations;

/// <summary>
/// Issue 12: Production started with the demo data (an admin with the published password), the demo collection account
/// (demo stall A01's number), no public address (links and EPCIS ids followed the Host header; the linkset reflected a
/// forged Host under Cache-Control: public) and any host allowed. Each now stops a Production start, naming the setting.
/// </summary>
public sealed class ProductionSafetyTests
{
    /// <summary>Starts the app in Production with one setting changed; the refusal comes before any database work.</summary>
    private static string StartFailure(string key, string value)
    {
        using var app = new Cho40App("Host=127.0.0.1;Port=1;Database=never_opened", settings: new Dictionary<string, string> { [key] = value });
        var failure = Assert.ThrowsAny<Exception>(() => app.Server);
        return failure.ToString();
    }

    [Theory]
    [InlineData("Cho40:SeedDemoData", "true", "Cho40__SeedDemoData=false")]
    [InlineData("Cho40:Collection:AccountNumber", "1020040040", "Cho40__Collection__AccountNumber")]
    [InlineData("Cho40:Collection:AccountNumber", "1023456789", "Cho40__Collection__AccountNumber")]
    [InlineData("Cho40:Collection:AccountNumber", "CHANGE-ME", "Cho40__Collection__AccountNumber")]
    [InlineData("Cho40:PublicBaseUrl", "", "Cho40__PublicBaseUrl")]
    [InlineData("Cho40:PublicBaseUrl", "cho40.vn/duong-dan", "Cho40__PublicBaseUrl")]
    [InlineData("AllowedHosts", "*", "AllowedHosts=")]
    [InlineData("AllowedHosts", "cho40.vn", "does not include localhost")]
    [InlineData("Cho40:Trace:PublicBaseUrl", "https://cho40.vn", "renamed Cho40:PublicBaseUrl")]
    public void Each_insecure_default_stops_a_production_start_naming_the_setting(string key, string value, string named)
    {
        var message = StartFailure(key, value);
        Assert.Contains("will not start in the Production environment", message);
        Assert.Contains(named, message);
    }

    [Fact]
    public void The_settings_of_a_test_app_are_fit_for_production()
    {
        // The same app with its own safe settings gets past the check (and then fails only for want of a database).
        using var app = new Cho40App("Host=127.0.0.1;Port=1;Database=never_opened");
        var failure = Assert.ThrowsAny<Exception>(() => app.Server).ToString();
        Assert.DoesNotContain("will not start", failure);
    }

    /// <summary>With Cho40:PublicBaseUrl and AllowedHosts set, a forged Host header is refused and never reflected.</summary>
    [Fact]
    public async Task A_forged_Host_header_is_refused_and_public_links_use_the_configured_address()
    {
        await using var app = new Cho40App(await TestDatabase.CreateAsync(withDemoData: true), settings: new Dictionary<string, string>
        {
            ["Cho40:PublicBaseUrl"] = "https://cho40.example.vn", ["AllowedHosts"] = "cho40.example.vn;localhost",
        });
        using var http = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        HttpRequestMessage Linkset(string host)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/01/08936042000017/10/TC2025-A");
            request.Headers.Host = host;
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/linkset+json"));
            return request;
        }

        var forged = await http.SendAsync(Linkset("evil.example"));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain("evil.example", await forged.Content.ReadAsStringAsync());

        var honest = await http.SendAsync(Linkset("localhost"));
        Assert.Equal(HttpStatusCode.OK, honest.StatusCode);
        var linkset = await honest.Content.ReadAsStringAsync();
        Assert.Contains("\"anchor\":\"https://cho40.example.vn/01/08936042000017/10/TC2025-A\"", linkset);
        Assert.DoesNotContain("localhost", linkset);
    }
}

/// <summary>Real processes: Production with nothing configured refuses to start and says everything to change; Demo starts.</summary>
[Trait("Speed", "Slow")]
public sealed class ProductionStartTests
{
    [Fact]
    public async Task Production_with_the_shipped_defaults_exits_listing_every_setting_to_change()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WebProcess.StartAsync("Host=127.0.0.1;Port=1;Database=never_opened",
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Cho40__SeedDemoData"] = "true", ["Cho40__PublicBaseUrl"] = "", ["AllowedHosts"] = "",
                ["Cho40__Collection__AccountNumber"] = "1023456789",
            }));
        Assert.Contains("exited with", error.Message);
        foreach (var setting in new[] { "Cho40__SeedDemoData", "Cho40__Collection__AccountNumber", "Cho40__PublicBaseUrl", "AllowedHosts=" })
            Assert.Contains(setting, error.Message);
        Assert.Contains("(4)", error.Message);
    }

    [Fact]
    public async Task The_demo_environment_starts_with_demo_data_and_demo_settings()
    {
        var database = await TestDatabase.CreateAsync();
        try
        {
            await using var web = await WebProcess.StartAsync(database, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Demo", ["Cho40__SeedDemoData"] = "true", ["Cho40__PublicBaseUrl"] = "", ["AllowedHosts"] = "*",
                ["Cho40__Collection__AccountNumber"] = "1023456789", ["Cho40__RunJobsInProcess"] = "false",
            });
            using var client = new PageClient(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
            {
                BaseAddress = new Uri(web.BaseUrl),
            });
            await client.SignInAsync("0900000001");
            Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/Admin")).StatusCode);
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }
}
