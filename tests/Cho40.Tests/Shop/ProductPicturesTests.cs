using System.Net;
using System.Security.Cryptography;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SkiaSharp;

namespace Cho40.Tests.Shop;

/// <summary>Photos that sell (issue 16): thumbnails with srcset, lazy below the fold, category drawings, reproducible demo pictures.</summary>
public sealed class ProductPicturesTests : IAsyncLifetime
{
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Demo_pictures_are_reproducible_and_cards_show_them_with_srcset_or_a_category_drawing()
    {
        var db = app.Services.GetRequiredService<NpgsqlDataSource>();
        var added = await DemoPhotos.AddAsync(db);
        Assert.True(added >= 4, $"only {added} featured products got a picture");
        Assert.Equal(0, await DemoPhotos.AddAsync(db)); // idempotent

        // Same product, same bytes: the stored blob is exactly what drawing it again gives.
        var sample = await ShopHelpers.ScalarAsync<string>(app, """
            SELECT p.slug FROM products p JOIN product_images i ON i.product_id = p.id ORDER BY p.id LIMIT 1
            """);
        var (name, unit, sha, category) = await FirstAsync(sample);
        var drawn = DemoPhotos.Draw(sample, name, unit, category);
        Assert.Equal(drawn, DemoPhotos.Draw(sample, name, unit, category));
        Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(drawn)));
        using (var bitmap = SKBitmap.Decode(drawn))
        {
            Assert.Equal((DemoPhotos.Size, DemoPhotos.Size), (bitmap.Width, bitmap.Height));
            // For a person to look at (browser-artifacts/demo-picture.png).
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            await File.WriteAllBytesAsync(Path.Combine(BrowserFixture.ArtifactsDirectory, "demo-picture.png"), png.ToArray());
        }

        using var client = app.NewClient();
        var (response, home) = await client.GetPageAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var images = home.QuerySelectorAll(".product-card img.thumb").ToList();
        Assert.NotEmpty(images);
        Assert.All(images, img =>
        {
            Assert.Equal("480", img.GetAttribute("width"));
            Assert.Equal("480", img.GetAttribute("height"));
        });
        var photos = images.Where(i => i.GetAttribute("src")!.StartsWith("/img/p/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(photos);
        Assert.All(photos, img => Assert.Matches(@"^/img/p/\d+/160\.webp 160w, /img/p/\d+/480\.webp 480w, /img/p/\d+/960\.webp 960w$", img.GetAttribute("srcset")));
        // The first row loads at once, everything below it lazily.
        var featured = home.QuerySelectorAll("ul.product-grid")[0].QuerySelectorAll("img.thumb").ToList();
        Assert.Equal(["eager", "eager"], featured.Take(2).Select(i => i.GetAttribute("loading")));
        Assert.All(featured.Skip(2), i => Assert.Equal("lazy", i.GetAttribute("loading")));
        Assert.All(home.QuerySelectorAll("ul.product-grid")[1].QuerySelectorAll("img.thumb"), i => Assert.Equal("lazy", i.GetAttribute("loading")));

        // Products without a photo: their category's drawing, a small SVG.
        var drawings = images.Where(i => i.ClassList.Contains("illustration")).Select(i => i.GetAttribute("src")!).Distinct().ToList();
        Assert.NotEmpty(drawings);
        foreach (var src in drawings)
        {
            Assert.Matches(@"^/img/cat/[a-z-]+\.svg$", src);
            var svg = await client.Http.GetAsync(src);
            Assert.Equal(HttpStatusCode.OK, svg.StatusCode);
            Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType!.MediaType);
            Assert.True((await svg.Content.ReadAsByteArrayAsync()).Length < 1024, $"{src} is over 1 KB");
        }

        // A thumbnail is WebP at the width asked for.
        var thumb = await client.Http.GetAsync(photos[0].GetAttribute("src"));
        Assert.Equal("image/webp", thumb.Content.Headers.ContentType!.MediaType);
        using (var bitmap = SKBitmap.Decode(await thumb.Content.ReadAsByteArrayAsync())) Assert.Equal(480, bitmap.Width);

        // Page weight without images stays under 60 KB (HTML, CSS and scripts).
        var html = await response.Content.ReadAsByteArrayAsync();
        var assets = 0;
        foreach (var href in home.QuerySelectorAll("link[rel=stylesheet]").Select(l => l.GetAttribute("href")!)
                     .Concat(home.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!)))
            assets += (await client.Http.GetByteArrayAsync(href)).Length;
        Assert.True(html.Length + assets < 60 * 1024, $"home page is {html.Length} + {assets} bytes without images");
    }

    private async Task<(string Name, string Unit, string Sha, string? Category)> FirstAsync(string slug)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await Dapper.SqlMapper.QuerySingleAsync<(string, string, string, string?)>(connection, """
            SELECT p.name, p.unit, i.storage_key,
                   (SELECT COALESCE(top.slug, c.slug) FROM categories c LEFT JOIN categories top ON top.id = c.parent_id WHERE c.id = p.category_id)
            FROM products p JOIN product_images i ON i.product_id = p.id WHERE p.slug = @slug
            """, new { slug });
    }
}
