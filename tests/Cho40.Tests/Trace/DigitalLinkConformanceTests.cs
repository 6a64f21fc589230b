using System.Net;
using System.Net.Http.Headers;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Dapper;
using Newtonsoft.Json.Linq;
using Npgsql;

namespace Cho40.Tests.Trace;

/// <summary>
/// GS1 conformance of the Digital Link resolver and the EPCIS ids (issue 16), and the trace-specific "not found"
/// page, on an app whose public address is configured (Cho40:PublicBaseUrl) and differs from the Host of requests.
/// </summary>
public sealed class DigitalLinkConformanceTests : IAsyncLifetime
{
    private const string DemoBatch = "TCDB25AQ";
    private const string DemoGtin = "08936042000017";
    private const string DemoSerial = "K7M4Q2XPCF";
    /// <summary>Cho40App's Cho40:PublicBaseUrl; requests below come in on another allowed host name (127.0.0.1).</summary>
    private const string PublicBase = "http://localhost";
    private Cho40App app = null!;

    public async Task InitializeAsync() =>
        app = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Every_answer_that_depends_on_Accept_says_Vary_Accept()
    {
        using var client = app.NewClient();
        var dl = $"/01/{DemoGtin}/10/TC2025-A";
        var html = await client.Http.GetAsync(dl);
        Assert.Equal(HttpStatusCode.OK, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Accept", html.Headers.Vary);
        Assert.Contains("public", html.Headers.CacheControl!.ToString()); // cacheable, therefore it must vary

        var linkset = await client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, dl)
            { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/linkset+json") } } });
        Assert.Equal("application/linkset+json", linkset.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Accept", linkset.Headers.Vary);

        var redirect = await client.Http.GetAsync(dl + "?linkType=gs1:pip");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.Contains("Accept", redirect.Headers.Vary);

        var serial = await client.Http.GetAsync($"/01/{DemoGtin}/21/{DemoSerial}");
        Assert.Contains("Accept", serial.Headers.Vary);

        // The platform's own short path does not depend on Accept.
        var shortPath = await client.Http.GetAsync($"/t/{DemoBatch}");
        Assert.DoesNotContain("Accept", shortPath.Headers.Vary);
    }

    [Theory]
    [InlineData("gs1:pip", "pip")]
    [InlineData("https://gs1.org/voc/pip", "pip")]
    [InlineData("http://gs1.org/voc/pip", "pip")]
    [InlineData("gs1:traceability", "traceability")]
    [InlineData("https://gs1.org/voc/traceability", "traceability")]
    public async Task LinkType_accepts_the_compact_and_the_full_URI_form(string linkType, string expected)
    {
        using var client = app.NewClient();
        var slug = await ScalarAsync<string>("SELECT slug FROM products WHERE gtin = @DemoGtin", new { DemoGtin });
        var response = await client.Http.GetAsync($"/01/{DemoGtin}/10/TC2025-A?linkType={Uri.EscapeDataString(linkType)}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(expected == "pip" ? $"/san-pham/{slug}" : $"/t/{DemoBatch}", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_serial_without_its_lot_resolves_to_the_pack()
    {
        using var client = app.NewClient();
        var page = await client.Http.GetAsync($"/01/{DemoGtin}/21/{DemoSerial}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var doc = await PageClient.ParseAsync(page);
        Assert.Contains(DemoSerial, doc.QuerySelector(".trace-unit")!.TextContent);
        Assert.Contains("TC2025-A", doc.Body!.TextContent);

        var traceability = await client.Http.GetAsync($"/01/{DemoGtin}/21/{DemoSerial}?linkType=https://gs1.org/voc/traceability");
        Assert.Equal($"/t/{DemoBatch}/{DemoSerial}", traceability.Headers.Location!.OriginalString);
        // A GTIN-13 without its leading zero names the same product.
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync($"/01/{DemoGtin[1..]}/21/{DemoSerial}")).StatusCode);

        // A serial of this platform under another product's GTIN is not that product's pack.
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/01/04006381333931/21/{DemoSerial}")).StatusCode);
        var unknown = "K7M4Q2XPZ" + TraceCode.CheckCharacter("K7M4Q2XPZ");
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync($"/01/{DemoGtin}/21/{unknown}")).StatusCode);
    }

    [Fact]
    public async Task EPCIS_ids_use_the_constrained_form_and_the_public_address_whatever_the_Host_header()
    {
        var batchId = await ScalarAsync<long>($"SELECT id FROM trace_batches WHERE code = '{DemoBatch}'");
        using var client = app.NewClient();
        await client.SignInAsync("0900000003");
        async Task<JObject> ExportAsync(string? host)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/api/trace/batches/{batchId}/epcis");
            if (host is not null) request.Headers.Host = host;
            var response = await client.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JObject.Parse(await response.Content.ReadAsStringAsync());
        }
        var plain = await ExportAsync(null);
        var forged = await ExportAsync("127.0.0.1:8443"); // an allowed host name that is not the public address

        static List<string> Ids(JObject d) => d["epcisBody"]!["eventList"]!
            .SelectMany(e => new[] { e["eventID"]!.ToString() }
                .Concat(e["epcList"]?.Select(x => x.ToString()) ?? [])
                .Concat((e["quantityList"] ?? e["outputQuantityList"])?.Select(q => q["epcClass"]!.ToString()) ?? []))
            .ToList();
        var ids = Ids(plain);
        Assert.Equal(ids, Ids(forged));
        Assert.DoesNotContain("127.0.0.1", forged.ToString());

        var units = plain["epcisBody"]!["eventList"]!.SelectMany(e => e["epcList"]?.Select(x => x.ToString()) ?? []).ToList();
        Assert.NotEmpty(units);
        Assert.All(units, u => Assert.Matches($"^{Regex(PublicBase)}/01/{DemoGtin}/21/[2-9A-Z]{{10}}$", u));
        Assert.Contains($"{PublicBase}/01/{DemoGtin}/21/{DemoSerial}", units);
        Assert.Contains($"{PublicBase}/01/{DemoGtin}/10/TC2025-A", ids);
        Assert.All(ids.Where(i => i.StartsWith("http", StringComparison.Ordinal)), i => Assert.StartsWith(PublicBase + "/", i));

        // The linkset's anchor and targets too.
        using var anonymous = app.NewClient();
        var linksetRequest = new HttpRequestMessage(HttpMethod.Get, $"/01/{DemoGtin}/10/TC2025-A?linkType=all");
        linksetRequest.Headers.Host = "127.0.0.1:8443";
        var linkset = await (await anonymous.Http.SendAsync(linksetRequest)).Content.ReadAsStringAsync();
        Assert.DoesNotContain("127.0.0.1", linkset);
        Assert.Contains($"{PublicBase}/01/{DemoGtin}/10/TC2025-A", linkset);

        // A host name that is not the site's is refused outright (AllowedHosts), never reflected.
        var foreign = new HttpRequestMessage(HttpMethod.Get, $"/api/trace/batches/{batchId}/epcis");
        foreign.Headers.Host = "attacker.example";
        var refused = await client.Http.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.DoesNotContain("attacker.example", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_mistyped_code_gets_a_trace_page_that_names_the_check_character_and_a_box_to_type_it_again()
    {
        using var client = app.NewClient();
        var typo = await client.Http.GetAsync("/t/TCDB25AR"); // one character off: the check character catches it
        Assert.Equal(HttpStatusCode.NotFound, typo.StatusCode);
        var page = await PageClient.ParseAsync(typo);
        var box = page.QuerySelector("#trace-missing")!;
        Assert.Equal("check", box.GetAttribute("data-problem"));
        Assert.Contains("ký tự kiểm tra", box.TextContent);
        Assert.Contains("TCDB25AR", box.TextContent);
        var form = box.QuerySelector("form")!;
        Assert.Equal("get", form.GetAttribute("method"));
        Assert.Equal("/t", form.GetAttribute("action"));
        Assert.NotNull(form.QuerySelector("input[name=code]"));

        var swapped = await PageClient.ParseAsync(await client.Http.GetAsync("/t/CTDB25AQ"));
        Assert.Equal("check", swapped.QuerySelector("#trace-missing")!.GetAttribute("data-problem"));
        var look = await PageClient.ParseAsync(await client.Http.GetAsync("/t/TCDB25A0")); // a zero: not in the alphabet
        Assert.Equal("alphabet", look.QuerySelector("#trace-missing")!.GetAttribute("data-problem"));
        var valid = "ZZZZZZZ" + TraceCode.CheckCharacter("ZZZZZZZ");
        var unknown = await client.Http.GetAsync($"/t/{valid}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown", (await PageClient.ParseAsync(unknown)).QuerySelector("#trace-missing")!.GetAttribute("data-problem"));

        // Typed again in the box, as people type it (lower case, a dash): the batch's own address.
        var retry = await client.Http.GetAsync("/t?code=tcdb-25aq");
        Assert.Equal(HttpStatusCode.Redirect, retry.StatusCode);
        Assert.Equal($"/t/{DemoBatch}", retry.Headers.Location!.OriginalString);
        var english = await PageClient.ParseAsync(await client.Http.GetAsync("/t/TCDB25AR?culture=en"));
        Assert.Contains("check character", english.QuerySelector("#trace-missing")!.TextContent);
    }

    private static string Regex(string s) => System.Text.RegularExpressions.Regex.Escape(s);

    private async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value");
    }
}
