using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Cho40.Web.Catalog;

/// <summary>
/// <c>GET /img/p/{imageId}/{width}.webp</c>, width ∈ {160, 480, 960}: a product photo as a WebP thumbnail.
/// Made on the first request from the original (kept in PostgreSQL) and cached on this process's disk under
/// <c>Cho40:MediaPath</c>; answered with a long Cache-Control and an ETag. Photos of published products are
/// public; photos of drafts only reach the seller's own members.
/// </summary>
public static class ProductImageEndpoint
{
    public static IEndpointRouteBuilder MapProductImages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/img/p/{imageId:long}/{width:int}.webp", ServeAsync);
        return app;
    }

    /// <summary>The URL of a product photo thumbnail (the contract the shop uses).</summary>
    public static string Url(long imageId, int width) => $"/img/p/{imageId}/{width}.webp";

    private static async Task<IResult> ServeAsync(long imageId, int width, HttpContext context, CatalogPhotos photos,
        ThumbnailCache cache, CancellationToken cancellationToken)
    {
        if (!ProductPhotos.Widths.Contains(width)) return Results.NotFound();
        var image = await photos.FindImageAsync(imageId, context.User.UserIdOrNull(), cancellationToken);
        if (image is null) return Results.NotFound();

        // The image id and its bytes never change together: the content hash and width name the response.
        var etag = new EntityTagHeaderValue($"\"{image.Sha256[..20]}-{width}\"");
        context.Response.Headers.CacheControl = image.IsPublic
            ? "public, max-age=31536000, immutable"
            : "private, max-age=3600";
        var path = await cache.GetOrCreateAsync(image.Sha256, width, photos, cancellationToken);
        if (path is null) return Results.NotFound();
        return Results.File(path, "image/webp", entityTag: etag, lastModified: null);
    }
}

/// <summary>Thumbnails on local disk ({MediaPath}/thumbs/ab/{sha256}-{width}.webp): a cache any process can rebuild.</summary>
public sealed class ThumbnailCache(Cho40Options options, IWebHostEnvironment environment)
{
    private readonly string root = Path.Combine(
        Path.IsPathRooted(options.MediaPath) ? options.MediaPath : Path.Combine(environment.ContentRootPath, options.MediaPath),
        "thumbs");

    public async Task<string?> GetOrCreateAsync(string sha256, int width, CatalogPhotos photos, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, sha256[..2]);
        var path = Path.Combine(directory, $"{sha256}-{width}.webp");
        if (File.Exists(path)) return path;

        var original = await photos.BlobBytesAsync(sha256, cancellationToken);
        if (original is null) return null;
        var thumbnail = await ProductPhotos.ThumbnailAsync(original, width, cancellationToken);
        if (thumbnail is null) return null;

        Directory.CreateDirectory(directory);
        // Write then rename: a reader never sees half a file; two requests racing both write the same bytes.
        var temporary = Path.Combine(directory, $".{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(temporary, thumbnail.Value.Bytes, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
