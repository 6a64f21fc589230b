namespace Cho40.Web.Infrastructure;

/// <summary>Absolute public addresses: from <c>Cho40:PublicBaseUrl</c>, or the request's own address when it is not set.</summary>
public static class PublicUrls
{
    public static string BaseUrl(HttpRequest request, Cho40Options options) =>
        options.PublicBaseUrl.Length > 0 ? options.PublicBaseUrl.TrimEnd('/') : $"{request.Scheme}://{request.Host}";

    /// <summary>The public page of a market: <c>/cho/{slug}</c> (Vietnamese; English through the page's language link).</summary>
    public static string MarketPath(string slug) => "/cho/" + Uri.EscapeDataString(slug);
}
