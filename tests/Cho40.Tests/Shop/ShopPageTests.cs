using System.Net;
using System.Text.RegularExpressions;
using Cho40.Tests.Infrastructure;

namespace Cho40.Tests.Shop;

public sealed class ShopPageTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Theory]
    [InlineData("/san-pham/khong-co-san-pham-nay")]
    [InlineData("/danh-muc/khong-co")]
    [InlineData("/nguoi-ban/khong-co")]
    [InlineData("/san-pham/tra-shan-tuyet-co-thu-cao-bo")] // its seller is still pending
    [InlineData("/san-pham/che-bup-vu-xuan-tan-cuong")]    // a draft
    [InlineData("/nguoi-ban/htx-che-shan-tuyet-cao-bo")]   // pending seller
    [InlineData("/don-hang/khong-phai-ma-that")]
    [InlineData("/don-hang/nhom/khong-phai-ma-that")]
    public async Task Unknown_or_unpublished_slugs_answer_404(string url)
    {
        using var client = App.NewClient();
        var response = await client.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_product_page_shows_price_unit_stock_OCOP_certifications_origin_seller_and_description()
    {
        using var client = App.NewClient();
        var (response, page) = await client.GetPageAsync("/san-pham/che-tan-cuong-dac-biet-200g");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Chè Tân Cương đặc biệt 200 g", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("120.000 ₫ / gói 200 g", Regex.Replace(page.QuerySelector(".price")!.TextContent, @"\s+", " ").Trim());
        var facts = page.QuerySelector(".facts")!.TextContent;
        Assert.Contains("★★★★", facts);
        Assert.Contains("VietGAP", facts);
        Assert.Contains("Chỉ dẫn địa lý Tân Cương", facts);
        Assert.Contains("Xã Tân Cương, Thái Nguyên", facts);
        Assert.Contains("HTX Chè Tân Cương", facts);
        Assert.Contains("sản phẩm", facts); // stock
        Assert.Equal("/nguoi-ban/htx-che-tan-cuong", page.QuerySelector(".facts a")!.GetAttribute("href"));
        Assert.Contains("Cách pha", page.QuerySelector(".description")!.TextContent);
        Assert.Empty(page.QuerySelectorAll(".photos img")); // no product_images rows in the demo
    }

    [Fact]
    public async Task Product_photos_are_shown_when_image_rows_exist()
    {
        // A real photo, stored the way the seller's upload stores it (content-addressed blob + image row).
        using var bitmap = new SkiaSharp.SKBitmap(1200, 900);
        bitmap.Erase(new SkiaSharp.SKColor(40, 110, 60));
        using var encoded = SkiaSharp.SKImage.FromBitmap(bitmap).Encode(SkiaSharp.SKEncodedImageFormat.Webp, 80);
        var bytes = encoded.ToArray();
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        await using (var connection = new Npgsql.NpgsqlConnection(App.ConnectionString))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO media_blobs (sha256, content_type, width, height, byte_size, bytes)
                VALUES (@sha, 'image/webp', 1200, 900, @size, @bytes);
                INSERT INTO product_images (product_id, storage_key, content_type, width, height)
                SELECT id, @sha, 'image/webp', 1200, 900 FROM products WHERE slug = 'hong-tra-tan-cuong';
                """, new { sha, size = bytes.Length, bytes });
        }
        using var client = App.NewClient();
        var (_, page) = await client.GetPageAsync("/san-pham/hong-tra-tan-cuong");
        var image = page.QuerySelector(".photos img")!;
        var src = image.GetAttribute("src")!;
        Assert.Matches(@"^/img/p/\d+/480\.webp$", src);
        Assert.Contains("960.webp 960w", image.GetAttribute("srcset"));

        var thumbnail = await client.Http.GetAsync(src);
        Assert.Equal(System.Net.HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/webp", thumbnail.Content.Headers.ContentType!.MediaType);
        using var decoded = SkiaSharp.SKBitmap.Decode(await thumbnail.Content.ReadAsByteArrayAsync());
        Assert.Equal(480, decoded.Width);
    }

    [Fact]
    public async Task Home_has_categories_featured_OCOP_products_and_the_newest()
    {
        using var client = App.NewClient();
        var (_, page) = await client.GetPageAsync("/");
        var categories = page.QuerySelectorAll(".chips a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("/danh-muc/che-tra", categories);
        Assert.Contains("/danh-muc/gao", categories);
        var featured = page.QuerySelectorAll(".product-grid").First().QuerySelectorAll(".badge");
        Assert.NotEmpty(featured);
        Assert.All(featured, b => Assert.StartsWith("OCOP", b.TextContent));
    }

    [Fact]
    public async Task A_category_page_lists_its_subcategories_products_and_links_to_the_next_page()
    {
        using var client = App.NewClient();
        var (response, page) = await client.GetPageAsync("/danh-muc/che-tra");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Chè & Trà", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("/danh-muc/che-xanh", page.QuerySelectorAll(".chips a").Select(a => a.GetAttribute("href")));
        var first = page.QuerySelectorAll(".product-card .product-name").Select(n => n.TextContent).ToList();
        Assert.Equal(24, first.Count);
        var next = page.QuerySelector("a[rel=next]")!.GetAttribute("href")!;
        Assert.StartsWith("/danh-muc/che-tra?sau=", next);
        var (_, second) = await client.GetPageAsync(next);
        var more = second.QuerySelectorAll(".product-card .product-name").Select(n => n.TextContent).ToList();
        Assert.NotEmpty(more);
        Assert.Empty(first.Intersect(more));
    }

    [Fact]
    public async Task A_seller_page_shows_the_seller_and_only_its_products()
    {
        using var client = App.NewClient();
        var (_, page) = await client.GetPageAsync("/nguoi-ban/htx-che-la-bang");
        Assert.Equal("HTX Chè La Bằng", page.QuerySelector("h1")!.TextContent);
        var sellers = page.QuerySelectorAll(".product-card .seller").Select(s => s.TextContent).ToList();
        Assert.NotEmpty(sellers);
        Assert.All(sellers, s => Assert.StartsWith("HTX Chè La Bằng", s));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/search?q=che+tan+cuong")]
    [InlineData("/search")]
    [InlineData("/danh-muc/che-tra")]
    [InlineData("/nguoi-ban/htx-che-tan-cuong")]
    [InlineData("/san-pham/che-tan-cuong-dac-biet-200g")]
    public async Task Shop_pages_weigh_under_60_KB_with_their_CSS_and_need_no_script(string url)
    {
        using var client = App.NewClient();
        var (response, page) = await client.GetPageAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        long bytes = (await response.Content.ReadAsByteArrayAsync()).Length;
        foreach (var link in page.QuerySelectorAll("link[rel=stylesheet]"))
            bytes += (await client.Http.GetByteArrayAsync(link.GetAttribute("href"))).Length;
        foreach (var script in page.QuerySelectorAll("script[src]"))
            bytes += (await client.Http.GetByteArrayAsync(script.GetAttribute("src"))).Length;
        Assert.True(bytes < 60 * 1024, $"{url} weighs {bytes} bytes");
    }
}

/// <summary>Its own database: it adds a product, which other storefront tests must not see.</summary>
public sealed class ProductDescriptionTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task The_description_is_Markdown_rendered_and_sanitised()
    {
        await ShopHelpers.ExecuteAsync(App, """
            INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, status, description_md)
            SELECT seller_id, category_id, 'che-thu-mo-ta-markdown', 'Chè thử mô tả', 'gói 100 g', 90000, 5, 'published',
                   E'**Hương cốm**, vị ngọt hậu.\n\n- Pha 85 °C\n- Ủ 3 phút\n\n<script>alert(1)</script><img src=x onerror=alert(2)>[bấm](javascript:alert(3))'
            FROM products WHERE slug = 'che-tan-cuong-dac-biet-200g'
            """);
        using var client = App.NewClient();
        var (_, page) = await client.GetPageAsync("/san-pham/che-thu-mo-ta-markdown");
        var description = page.QuerySelector(".description")!;
        Assert.Equal("Hương cốm", description.QuerySelector("strong")!.TextContent);
        Assert.Equal(["Pha 85 °C", "Ủ 3 phút"], description.QuerySelectorAll("li").Select(li => li.TextContent).ToList());
        Assert.Empty(description.QuerySelectorAll("script, img[onerror], a[href^='javascript']"));
    }
}
