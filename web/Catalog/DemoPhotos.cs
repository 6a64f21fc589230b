using System.Security.Cryptography;
using Dapper;
using Npgsql;
using SkiaSharp;

namespace Cho40.Web.Catalog;

/// <summary>
/// Pictures for the demo's featured products (published, OCOP-rated, no photo yet), drawn here with SkiaSharp — not
/// photographs: a packaging mock-up (category colours, the category's shape, the product's name and unit in DejaVu Sans)
/// on a 960 px square. Reproducible: the drawing depends only on the product's slug, name, unit and category, and WebP
/// encoding of the same pixels gives the same bytes, so every demo database gets identical pictures (same SHA-256) and
/// nothing binary is kept in the repository. Runs after the demo seed (Program.cs, tests' demo template); idempotent.
/// </summary>
public static class DemoPhotos
{
    public const int Size = 960;

    private sealed record Featured(long Id, string Slug, string Name, string Unit, string? CategorySlug);

    private static readonly Dictionary<string, (SKColor Light, SKColor Dark, string Shape)> Styles = new()
    {
        ["che-tra"] = (new SKColor(0xE6, 0xF4, 0xEA), new SKColor(0x1F, 0x6F, 0x3F), "M60 100C30 86 24 52 40 26c14 10 30 30 20 74zM60 100c30-14 36-48 20-74C66 36 50 56 60 100z"),
        ["gao"] = (new SKColor(0xFB, 0xF5, 0xE6), new SKColor(0x9A, 0x6E, 0x00), "M24 96h72l-8-40H32z"),
        ["rau-cu"] = (new SKColor(0xFF, 0xF1, 0xE6), new SKColor(0xB8, 0x56, 0x1A), "M58 40l10 4-14 62c-2 6-8 4-7-2z"),
        ["trai-cay"] = (new SKColor(0xFD, 0xEC, 0xEB), new SKColor(0xA4, 0x16, 0x1A), "M90 70a30 30 0 1 1-60 0a30 30 0 1 1 60 0z"),
        ["dac-san-ocop"] = (new SKColor(0xFF, 0xF4, 0xD6), new SKColor(0x9A, 0x6E, 0x00), "M60 18l12 26 28 3-21 19 6 28-25-14-25 14 6-28-21-19 28-3z"),
        ["mat-ong"] = (new SKColor(0xFF, 0xF4, 0xD6), new SKColor(0x9A, 0x6E, 0x00), "M44 42h32a10 10 0 0 1 10 10v38a10 10 0 0 1-10 10H44a10 10 0 0 1-10-10V52a10 10 0 0 1 10-10z"),
        ["nam"] = (new SKColor(0xF3, 0xEC, 0xE4), new SKColor(0x8A, 0x5A, 0x3C), "M20 62c0-24 18-38 40-38s40 14 40 38zM50 62h20l4 38H46z"),
        ["mien-bun"] = (new SKColor(0xEE, 0xF2, 0xF7), new SKColor(0x2F, 0x5F, 0xA7), "M18 60h84c0 22-18 38-42 38S18 82 18 60z"),
        ["gia-vi"] = (new SKColor(0xFD, 0xEC, 0xEB), new SKColor(0xA4, 0x16, 0x1A), "M44 40c30-6 46 20 40 52-2 10-10 8-12 0-6-22-14-30-32-38z"),
        ["qua-tang"] = (new SKColor(0xF2, 0xEB, 0xF7), new SKColor(0x7B, 0x4E, 0xA3), "M26 50h68v50H26zM22 38h76v16H22z"),
    };

    /// <summary>Adds a drawn picture to every featured demo product that has none. Returns how many it added.</summary>
    public static async Task<int> AddAsync(NpgsqlDataSource db, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var products = (await connection.QueryAsync<Featured>(new CommandDefinition("""
            SELECT p.id, p.slug, p.name, p.unit, (SELECT COALESCE(top.slug, c.slug) FROM categories c
                   LEFT JOIN categories top ON top.id = c.parent_id WHERE c.id = p.category_id) AS CategorySlug
            FROM products p
            WHERE p.status = 'published' AND p.ocop_stars IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM product_images i WHERE i.product_id = p.id)
            ORDER BY p.id
            """, cancellationToken: cancellationToken))).AsList();
        foreach (var p in products)
        {
            var bytes = Draw(p.Slug, p.Name, p.Unit, p.CategorySlug);
            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO media_blobs (sha256, content_type, width, height, byte_size, bytes)
                VALUES (@sha, 'image/webp', @Size, @Size, @length, @bytes) ON CONFLICT (sha256) DO NOTHING;
                INSERT INTO product_images (product_id, storage_key, content_type, width, height, sort_order)
                VALUES (@Id, @sha, 'image/webp', @Size, @Size, 0) ON CONFLICT (product_id, storage_key) DO NOTHING;
                """, new { sha, Size, length = bytes.Length, bytes, p.Id }, cancellationToken: cancellationToken));
        }
        return products.Count;
    }

    /// <summary>The picture of one product as WebP bytes (deterministic).</summary>
    public static byte[] Draw(string slug, string name, string unit, string? categorySlug)
    {
        var (light, dark, shape) = Styles.TryGetValue(categorySlug ?? "", out var style)
            ? style : (new SKColor(0xEE, 0xF2, 0xEE), new SKColor(0x55, 0x5F, 0x58), "M30 46l30-16 30 16v40L60 102 30 86z");
        var seed = BitConverter.ToInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(slug)), 0);
        var random = new Random(seed);

        using var surface = SKSurface.Create(new SKImageInfo(Size, Size, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        using (var background = new SKPaint())
        {
            background.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, Size),
                [light, Blend(light, dark, 0.25f)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, Size, Size, background);
        }
        // A few soft circles placed by the slug: each product's picture differs, the same product's never does.
        using (var dots = new SKPaint { Color = dark.WithAlpha(28), IsAntialias = true })
            for (var i = 0; i < 7; i++) canvas.DrawCircle(random.Next(Size), random.Next(Size), 40 + random.Next(140), dots);

        // The pack: a rounded card with the category's shape and the product's name.
        var pack = new SKRect(150, 110, Size - 150, Size - 90);
        using (var shadow = new SKPaint { Color = SKColors.Black.WithAlpha(40), IsAntialias = true, MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 18) })
            canvas.DrawRoundRect(new SKRect(pack.Left + 14, pack.Top + 22, pack.Right + 14, pack.Bottom + 22), 40, 40, shadow);
        using (var card = new SKPaint { Color = SKColors.White, IsAntialias = true })
            canvas.DrawRoundRect(pack, 40, 40, card);
        using (var band = new SKPaint { Color = dark, IsAntialias = true })
            canvas.DrawRect(new SKRect(pack.Left, pack.Bottom - 150, pack.Right, pack.Bottom - 120), band);

        using (var path = SKPath.ParseSvgPathData(shape))
        using (var fill = new SKPaint { Color = dark, IsAntialias = true })
        {
            path.Transform(SKMatrix.CreateScaleTranslation(3.2f, 3.2f, Size / 2f - 60 * 3.2f, pack.Top + 10));
            canvas.DrawPath(path, fill);
        }

        using var typeface = LoadFont();
        using var font = new SKFont(typeface, 52);
        using var ink = new SKPaint { Color = new SKColor(0x1B, 0x1F, 0x1C), IsAntialias = true };
        var y = pack.Top + 470f;
        foreach (var line in Wrap(name, font, pack.Width - 80).Take(3))
        {
            canvas.DrawText(line, Size / 2f, y, SKTextAlign.Center, font, ink);
            y += 62;
        }
        using var small = new SKFont(typeface, 38);
        using var muted = new SKPaint { Color = new SKColor(0x55, 0x5F, 0x58), IsAntialias = true };
        canvas.DrawText(unit, Size / 2f, pack.Bottom - 50, SKTextAlign.Center, small, muted);

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Webp, 82);
        return data.ToArray();
    }

    private static SKColor Blend(SKColor a, SKColor b, float t) => new(
        (byte)(a.Red + (b.Red - a.Red) * t), (byte)(a.Green + (b.Green - a.Green) * t), (byte)(a.Blue + (b.Blue - a.Blue) * t));

    private static IEnumerable<string> Wrap(string text, SKFont font, float width)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && font.MeasureText(candidate) > width)
            {
                yield return line;
                line = word;
            }
            else line = candidate;
        }
        if (line.Length > 0) yield return line;
    }

    private static SKTypeface LoadFont()
    {
        using var stream = typeof(DemoPhotos).Assembly.GetManifestResourceStream("fonts/DejaVuSans-Bold.ttf")
            ?? throw new InvalidOperationException("fonts/DejaVuSans-Bold.ttf is not embedded in Cho40.Web");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException("the font does not load");
    }
}
