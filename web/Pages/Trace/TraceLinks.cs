using System.Text.Json;
using System.Text.Json.Nodes;
using Cho40.Db;

namespace Cho40.Web.Pages.Trace;

/// <summary>
/// The addresses a code can carry. With a GTIN: GS1 Digital Link <c>/01/{GTIN-14}/10/{lot}[/21/{serial}]</c>;
/// without: the platform's own short path <c>/t/{batchCode}[/{serial}]</c>. Both resolve to the trace page.
/// </summary>
public static class TraceLinks
{
    /// <summary>The configured public address (Cho40:PublicBaseUrl), never the request's Host header in production.</summary>
    public static string BaseUrl(HttpRequest request, Cho40.Web.Infrastructure.Cho40Options options) =>
        Cho40.Web.Infrastructure.PublicBaseUrl.Of(request, options);

    public static string ShortPath(string batchCode, string? serial = null) =>
        serial is null ? $"/t/{batchCode}" : $"/t/{batchCode}/{serial}";

    public static string DigitalLinkPath(string gtin14, string lot, string? serial = null) =>
        $"/01/{gtin14}/10/{Uri.EscapeDataString(lot)}" + (serial is null ? "" : $"/21/{Uri.EscapeDataString(serial)}");

    /// <summary>The constrained GS1 form for one pack, <c>/01/{GTIN-14}/21/{serial}</c>: EPCIS instance ids.</summary>
    public static string SerialDigitalLinkPath(string gtin14, string serial) =>
        $"/01/{gtin14}/21/{Uri.EscapeDataString(serial)}";

    /// <summary>
    /// A <c>linkType</c> in either GS1 form — compact <c>gs1:pip</c> or full URI <c>https://gs1.org/voc/pip</c>
    /// (http too) — as its bare name ("pip", "traceability"); "all"/"linkset" as "all"; anything else as given.
    /// </summary>
    public static string? LinkType(string? linkType)
    {
        if (string.IsNullOrWhiteSpace(linkType)) return null;
        var t = linkType.Trim();
        foreach (var prefix in (string[])["gs1:", "https://gs1.org/voc/", "http://gs1.org/voc/", "https://www.gs1.org/voc/", "http://www.gs1.org/voc/"])
            if (t.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return t[prefix.Length..];
        return t is "all" or "linkset" ? "all" : t;
    }

    /// <summary>What goes into the QR code: the Digital Link when the product has a GTIN, else the short path.</summary>
    public static string CodeUrl(string baseUrl, string? gtin14, string lot, string batchCode, string? serial = null) =>
        baseUrl + (gtin14 is null ? ShortPath(batchCode, serial) : DigitalLinkPath(gtin14, lot, serial));

    /// <summary>What is printed under the QR for people to type: the short path without the scheme.</summary>
    public static string PrintedUrl(string baseUrl, string batchCode, string? serial = null) =>
        baseUrl.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal) + ShortPath(batchCode, serial);

    /// <summary>An RFC 9264 linkset for a Digital Link, with GS1 link types as relation types.</summary>
    public static string Linkset(string anchor, string productUrl, string productName, string traceUrl)
    {
        static JsonArray Link(string href, string title) => new(new JsonObject
        {
            ["href"] = href, ["title"] = title, ["type"] = "text/html", ["hreflang"] = new JsonArray("vi", "en"),
        });
        var linkset = new JsonObject
        {
            ["linkset"] = new JsonArray(new JsonObject
            {
                ["anchor"] = anchor,
                ["https://gs1.org/voc/defaultLink"] = Link(traceUrl, productName),
                ["https://gs1.org/voc/traceability"] = Link(traceUrl, productName),
                ["https://gs1.org/voc/pip"] = Link(productUrl, productName),
            }),
        };
        return linkset.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
