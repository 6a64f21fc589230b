using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Cho40.Tests.Infrastructure;

namespace Cho40.Tests.Foundation;

public sealed class ShellTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task The_home_page_lists_demo_products_with_prices_in_VND_written_as_UTF8()
    {
        using var client = App.NewClient();
        var response = await client.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("<html lang=\"vi\">", html);
        // Vietnamese letters as UTF-8, not entities (the one entity left is the no-break space before "₫", which the
        // encoder always escapes: Formatting.Vnd puts it there on purpose so "₫" never wraps onto its own line).
        Assert.DoesNotContain("&#x", html.Replace("&#xA0;", "", StringComparison.Ordinal));
        var page = await PageClient.ParseAsync(response);
        var cards = page.QuerySelectorAll(".product-card");
        Assert.True(cards.Length >= 40, $"expected the demo products on the home page, found {cards.Length}");
        Assert.Contains(cards, c => c.TextContent.Contains("Tân Cương", StringComparison.Ordinal));
        Assert.All(cards, c => Assert.Matches(new Regex(@"^\d{1,3}(\.\d{3})* ₫$"), c.QuerySelector(".price")!.FirstChild!.TextContent.Trim().Replace('\u00A0', ' ')));
    }

    [Fact]
    public async Task The_language_switch_works_without_JavaScript()
    {
        using var client = App.NewClient();
        var (firstResponse, home) = await client.GetPageAsync("/search?q=ch%C3%A8");
        // No antiforgery cookie on an anonymous page without forms: such pages stay cacheable.
        Assert.False(firstResponse.Headers.Contains("Set-Cookie"), "an anonymous page set a cookie: " + string.Join("; ", firstResponse.Headers.TryGetValues("Set-Cookie", out var set) ? set : []));
        var link = home.QuerySelector("a.language-switch")!.GetAttribute("href")!;
        var switched = await client.Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal("/search?q=ch%C3%A8", switched.Headers.Location!.OriginalString);

        var (_, english) = await client.GetPageAsync("/");
        Assert.Equal("en", english.DocumentElement.GetAttribute("lang"));
        Assert.Contains("Farm produce and specialities", english.QuerySelector("h1")!.TextContent);
        Assert.Contains("Sign in", english.QuerySelector(".site-nav")!.TextContent);
    }

    [Fact]
    public async Task Pages_carry_security_headers()
    {
        using var client = App.NewClient();
        var response = await client.Http.GetAsync("/");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
    }

    [Fact]
    public async Task Unknown_pages_answer_404_with_a_Vietnamese_page()
    {
        using var client = App.NewClient();
        var response = await client.Http.GetAsync("/khong-co-trang-nay");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Không tìm thấy trang", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Every_text_shown_through_the_localizer_has_an_English_translation()
    {
        var webRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../web"));
        var english = XDocument.Load(Path.Combine(webRoot, "Resources/SharedResource.en.resx"))
            .Root!.Elements("data").Select(d => d.Attribute("name")!.Value).ToHashSet();
        var keyPattern = new Regex("""(?:\b[Tt]\[|ErrorMessage = )"((?:[^"\\]|\\.)+)"(?!\s*\+)""");
        var missing = Directory.EnumerateFiles(webRoot, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".cshtml", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
                        && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .SelectMany(f => keyPattern.Matches(File.ReadAllText(f)).Select(m => (File: Path.GetFileName(f), Key: m.Groups[1].Value)))
            .Where(k => !k.Key.EndsWith(':') && !english.Contains(k.Key))
            .Select(k => $"{k.File}: {k.Key}")
            .Distinct()
            .ToList();
        Assert.True(missing.Count == 0, "Missing English translations:\n" + string.Join("\n", missing));
    }

    [Theory]
    [InlineData("SharedResource.en.resx")]
    [InlineData("SharedResource.vi.resx")]
    public void Resource_names_differ_by_more_than_case(string file)
    {
        // The resource compiler keeps one of two names that differ only by case ("Ngày", "ngày"): the other text
        // would silently stay untranslated.
        var webRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../web"));
        var clashes = XDocument.Load(Path.Combine(webRoot, "Resources", file)).Root!.Elements("data")
            .Select(d => d.Attribute("name")!.Value)
            .GroupBy(n => n, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => string.Join(" / ", g))
            .ToList();
        Assert.True(clashes.Count == 0, "Names that differ only by case:\n" + string.Join("\n", clashes));
    }
}

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_answers_200_while_the_database_answers_and_503_when_it_is_gone()
    {
        await using var app = new Cho40App(await TestDatabase.CreateAsync());
        using var client = app.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/healthz")).StatusCode);

        // Take the database away under the running app.
        await TestDatabase.DropAsync(app.ConnectionString);
        var down = await client.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
    }
}
