namespace Cho40.Web.Infrastructure;

/// <summary>Public addresses of pages people print or share (market gate posters, open data).</summary>
public static class PublicUrls
{
    /// <summary>The configured Cho40:PublicBaseUrl (see <see cref="PublicBaseUrl"/>), never a forged Host in Production.</summary>
    public static string BaseUrl(HttpRequest request, Cho40Options options) => PublicBaseUrl.Of(request, options);

    /// <summary>The public page of a market: <c>/cho/{slug}</c> (Vietnamese; English through the page's language link).</summary>
    public static string MarketPath(string slug) => "/cho/" + Uri.EscapeDataString(slug);
}
