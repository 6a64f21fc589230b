using System.Net;
using Cho40.Db;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Shop;

/// <summary>The demo catalogue plus a product named exactly "Chè Tân Cương" and one with a % in its name.</summary>
public sealed class SearchFixture : IAsyncLifetime
{
    public Cho40App App { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public Db.ShopQueries Store { get; private set; } = null!;

    /// <summary>The same search through the in-memory catalogue index, as the web process runs it.</summary>
    public Db.ShopQueries IndexedStore { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await Cho40App.StartAsync(withDemoData: true);
        Db = NpgsqlDataSource.Create(App.ConnectionString);
        Store = new Db.ShopQueries(Db);
        var index = new CatalogSearchIndex(Db);
        IndexedStore = new Db.ShopQueries(Db, searchIndex: index);
        await using var connection = await Db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, ocop_stars, status,
                                  origin_province_code)
            SELECT s.id, c.id, v.slug, v.name, v.description, 'gói 100 g', v.price, 10, NULL, 'published', '19'
            FROM sellers s, categories c,
                 (VALUES ('che-tan-cuong', 'Chè Tân Cương', 'Chè búp hái tay.', 90000),
                         ('tra-100-phan-tram-bup', 'Trà 100% búp non', 'Chỉ búp non, không cẫng.', 95000),
                         ('tra-a-b', 'Trà A_B thử nghiệm', 'Tên có gạch dưới.', 99000)) AS v (slug, name, description, price)
            WHERE s.slug = 'htx-che-tan-cuong' AND c.slug = 'che-xanh'
            """);
        await index.BuildAsync();
    }

    public async Task DisposeAsync()
    {
        await Db.DisposeAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Search as PostgreSQL runs it (texts without words, and any ShopQueries without an index).</summary>
public sealed class SearchTests(SearchFixture fixture) : SearchBehaviour(fixture), IClassFixture<SearchFixture>
{
    protected override Db.ShopQueries Store => Fixture.Store;
}

/// <summary>The same behaviour through the in-memory catalogue index (CatalogSearchIndex), as the web process searches.</summary>
public sealed class IndexedSearchTests(SearchFixture fixture) : SearchBehaviour(fixture), IClassFixture<SearchFixture>
{
    protected override Db.ShopQueries Store => Fixture.IndexedStore;
}

public abstract class SearchBehaviour(SearchFixture fixture)
{
    protected SearchFixture Fixture => fixture;
    protected abstract Db.ShopQueries Store { get; }

    [Theory]
    [InlineData("che tan cuong")]
    [InlineData("CHÈ TÂN CƯƠNG")]
    [InlineData("Chè Tân Cương")]
    [InlineData("  che   tan cuong ")]
    public async Task The_exact_product_comes_first_whatever_the_accents_and_case(string q)
    {
        var result = await Store.SearchAsync(new SearchQuery(q));
        Assert.NotEmpty(result.Hits);
        Assert.Equal("Chè Tân Cương", result.Hits[0].Card.Name);
        // Other Tân Cương products follow; the ranking is strictly ordered by (rank, id).
        Assert.True(result.Hits.Count(h => h.Card.Name.Contains("Tân Cương", StringComparison.Ordinal)) >= 5);
        Assert.Equal(result.Hits.OrderByDescending(h => h.Rank).ThenByDescending(h => h.Card.Id).Select(h => h.Card.Id),
            result.Hits.Select(h => h.Card.Id));
    }

    [Fact]
    public async Task Part_of_the_name_without_accents_finds_it_too()
    {
        var result = await Store.SearchAsync(new SearchQuery("tan cuong", Limit: 50));
        Assert.Contains(result.Hits, h => h.Card.Name == "Chè Tân Cương");
        Assert.Equal("Chè Tân Cương", result.Hits[0].Card.Name); // the shortest name containing it is the most similar
        Assert.All(result.Hits.Take(10), h => Assert.Contains("tan cuong", Slug.ToAscii(h.Card.Name).ToLowerInvariant()));
        // Products from other places do not come before Tân Cương products.
        Assert.DoesNotContain(result.Hits.Take(10), h => h.Card.Name.Contains("La Bằng", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_typo_still_finds_the_product_by_trigram_similarity()
    {
        var result = await Store.SearchAsync(new SearchQuery("mien dong na ry"));
        Assert.Contains(result.Hits.Take(3), h => h.Card.Name.StartsWith("Miến dong Na Rì", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_search_page_answers_with_the_product_first()
    {
        using var client = fixture.App.NewClient();
        var (response, page) = await client.GetPageAsync("/search?q=che+tan+cuong");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Chè Tân Cương", page.QuerySelector(".product-card .product-name")!.TextContent.Trim());
        Assert.Equal("/san-pham/che-tan-cuong", page.QuerySelector(".product-card a")!.GetAttribute("href"));

        // The filter form keeps the text: filtering "che tan cuong" by OCOP 4 stars still searches for it.
        var form = page.QuerySelector("form.filter-form")!;
        var fields = form.QuerySelectorAll("input[name], select[name]")
            .Select(e => (Name: e.GetAttribute("name")!, Value: e.GetAttribute("name") == "ocop" ? "4" : e.GetAttribute("value") ?? ""))
            .Where(f => f.Value.Length > 0);
        var url = form.GetAttribute("action") + "?" + string.Join("&", fields.Select(f => f.Name + "=" + Uri.EscapeDataString(f.Value)));
        var (_, narrowed) = await client.GetPageAsync(url);
        Assert.Equal("che tan cuong", narrowed.QuerySelector("#q")!.GetAttribute("value"));
        var names = narrowed.QuerySelectorAll(".product-card .product-name").Select(n => n.TextContent).ToList();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Contains("Tân Cương", n));
        Assert.All(narrowed.QuerySelectorAll(".product-card"), c => Assert.Contains("OCOP", c.TextContent));
    }

    [Fact]
    public async Task Filters_narrow_by_category_with_its_subcategories_province_OCOP_stars_and_price()
    {
        await using var connection = await fixture.Db.OpenConnectionAsync();
        var tea = await connection.QuerySingleAsync<int>("SELECT id FROM categories WHERE slug = 'che-tra'");
        var teaIds = (await connection.QueryAsync<int>("SELECT id FROM categories WHERE id = @tea OR parent_id = @tea", new { tea })).ToHashSet();

        var inTea = await Store.SearchAsync(new SearchQuery(null, CategoryId: tea, Limit: 100));
        Assert.True(inTea.Hits.Count >= 20);
        var categories = (await connection.QueryAsync<int>("SELECT category_id FROM products WHERE id = ANY(@ids)",
            new { ids = inTea.Hits.Select(h => h.Card.Id).ToArray() })).ToList();
        Assert.All(categories, c => Assert.Contains(c, teaIds));

        var canTho = await connection.QuerySingleAsync<string>("SELECT code FROM provinces WHERE name = 'Cần Thơ'");
        var fromCanTho = await Store.SearchAsync(new SearchQuery("gao", ProvinceCode: canTho));
        Assert.Equal(["Gạo ST25 túi 5 kg"], fromCanTho.Hits.Select(h => h.Card.Name));

        var ocop4 = await Store.SearchAsync(new SearchQuery("che", MinOcopStars: 4, Limit: 100));
        Assert.NotEmpty(ocop4.Hits);
        Assert.All(ocop4.Hits, h => Assert.True(h.Card.OcopStars >= 4));

        var priced = await Store.SearchAsync(new SearchQuery(null, MinPriceVnd: 100_000, MaxPriceVnd: 200_000, Limit: 100));
        Assert.NotEmpty(priced.Hits);
        Assert.All(priced.Hits, h => Assert.InRange(h.Card.PriceVnd, 100_000, 200_000));
        var expected = await connection.ExecuteScalarAsync<int>("""
            SELECT count(*) FROM products p JOIN sellers s ON s.id = p.seller_id
            WHERE p.status = 'published' AND s.status = 'approved' AND p.price_vnd BETWEEN 100000 AND 200000
            """);
        Assert.Equal(expected, priced.Hits.Count);
    }

    [Theory]
    [InlineData(null, 7)]
    [InlineData("che", 4)]
    [InlineData("tan cuong", 3)]
    public async Task Keyset_pages_cover_every_result_once_without_gaps(string? q, int pageSize)
    {
        var all = await Store.SearchAsync(new SearchQuery(q, Limit: 100));
        Assert.Null(all.Next);
        var seen = new List<long>();
        SearchCursor? after = null;
        do
        {
            var page = await Store.SearchAsync(new SearchQuery(q, After: after, Limit: pageSize));
            Assert.True(page.Hits.Count <= pageSize);
            seen.AddRange(page.Hits.Select(h => h.Card.Id));
            after = page.Next;
            // The cursor survives the round trip through a URL.
            if (after is not null) after = SearchCursor.Parse(after.ToString());
        } while (after is not null);
        Assert.Equal(all.Hits.Select(h => h.Card.Id), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task An_empty_query_lists_the_whole_published_catalogue_of_approved_sellers()
    {
        var all = await Store.SearchAsync(new SearchQuery("", Limit: 100));
        var expected = await ShopHelpers.ScalarAsync<int>(fixture.App, """
            SELECT count(*) FROM products p JOIN sellers s ON s.id = p.seller_id WHERE p.status = 'published' AND s.status = 'approved'
            """);
        Assert.Equal(expected, all.Hits.Count);
        Assert.DoesNotContain(all.Hits, h => h.Card.SellerSlug == "htx-che-shan-tuyet-cao-bo"); // pending seller
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("\\")]
    [InlineData("'; DROP TABLE products; --")]
    [InlineData("\" OR 1=1 --")]
    public async Task SQL_and_LIKE_metacharacters_are_just_text(string q)
    {
        var before = await ShopHelpers.ScalarAsync<long>(fixture.App, "SELECT count(*) FROM products");
        var result = await Store.SearchAsync(new SearchQuery(q, Limit: 100));
        Assert.True(result.Hits.Count < 5, $"'{q}' matched {result.Hits.Count} products");
        using var client = fixture.App.NewClient();
        var response = await client.Http.GetAsync("/search?q=" + Uri.EscapeDataString(q));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, await ShopHelpers.ScalarAsync<long>(fixture.App, "SELECT count(*) FROM products"));
    }

    [Fact]
    public async Task Percent_and_underscore_match_themselves()
    {
        Assert.Equal(["Trà 100% búp non"], (await Store.SearchAsync(new SearchQuery("%"))).Hits.Select(h => h.Card.Name));
        Assert.Equal("Trà 100% búp non", (await Store.SearchAsync(new SearchQuery("100%"))).Hits[0].Card.Name);
        Assert.Equal(["Trà A_B thử nghiệm"], (await Store.SearchAsync(new SearchQuery("a_b"))).Hits.Select(h => h.Card.Name));
    }

    [Fact]
    public async Task Descriptions_are_searched_a_little()
    {
        // "lông tuyết" appears only in descriptions (Chè nõn tôm …), never in a name.
        var result = await Store.SearchAsync(new SearchQuery("long tuyet"));
        Assert.NotEmpty(result.Hits);
        Assert.Contains(result.Hits, h => h.Card.Name.Contains("nõn tôm", StringComparison.Ordinal));
    }
}
