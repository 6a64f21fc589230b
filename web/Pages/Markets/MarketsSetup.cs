using Cho40.Db;
using Cho40.Web.Catalog;
using Microsoft.Net.Http.Headers;

namespace Cho40.Web.Pages.Markets;

/// <summary>The public market pages' services and the market photo endpoint.</summary>
public static class MarketsSetup
{
    /// <summary>The widths of <c>GET /img/m/{sha256}/{width}.webp</c> (the same renditions as product photos).</summary>
    public static IReadOnlyList<int> PhotoWidths => ProductPhotos.Widths;

    public static IServiceCollection AddCho40Markets(this IServiceCollection services)
    {
        services.AddSingleton<MarketPages>();
        services.AddSingleton<MarketDetails>();
        return services;
    }

    /// <summary>
    /// <c>GET /img/m/{sha256}/{width}.webp</c>: a market's current photo as a WebP thumbnail, made from the original in
    /// PostgreSQL and cached on disk like product photos. The address names the content, so it is cached for a year;
    /// a photo that is no market's current photo answers 404 (a product's draft photo cannot be reached this way).
    /// </summary>
    public static IEndpointRouteBuilder MapMarketPhotos(this IEndpointRouteBuilder app)
    {
        app.MapGet("/img/m/{sha256:regex(^[0-9a-f]{{64}}$)}/{width:int}.webp", async (string sha256, int width, HttpContext context,
            MarketPages markets, CatalogPhotos photos, ThumbnailCache cache, CancellationToken cancellationToken) =>
        {
            if (!PhotoWidths.Contains(width) || !await markets.IsMarketPhotoAsync(sha256, cancellationToken)) return Results.NotFound();
            var path = await cache.GetOrCreateAsync(sha256, width, photos, cancellationToken);
            if (path is null) return Results.NotFound();
            context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.File(path, "image/webp", entityTag: new EntityTagHeaderValue($"\"{sha256[..20]}-{width}\""));
        });
        return app;
    }

    public static string PhotoUrl(string sha256, int width) => $"/img/m/{sha256}/{width}.webp";
}
