using Ganss.Xss;
using Markdig;

namespace Cho40.Web.Catalog;

/// <summary>
/// A seller's product description: Markdown rendered to HTML with Markdig, then sanitised with HtmlSanitizer.
/// The one place that turns seller text into HTML — the shop and the seller pages both call
/// <see cref="ToSafeHtml"/> and write its result with <c>@Html.Raw</c>.
/// </summary>
public static class ProductDescription
{
    // Raw HTML in the Markdown is shown as text, not interpreted; links become <a> only for http(s)/mailto.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UsePipeTables()
        .UseListExtras()
        .UseSoftlineBreakAsHardlineBreak()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    // Sanitising parses the HTML into a DOM: about as costly as the rest of the product page. The result depends only on
    // the text, so it is kept (bounded; keyed by the text itself, so an edited description is simply a new entry).
    private static readonly Microsoft.Extensions.Caching.Memory.MemoryCache Rendered = new(
        new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = 20_000_000 });

    /// <summary>Markdown → safe HTML: headings, paragraphs, lists, emphasis, tables, links; no images, scripts, styles or attributes beyond href.</summary>
    public static string ToSafeHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown)) return "";
        if (Microsoft.Extensions.Caching.Memory.CacheExtensions.TryGetValue(Rendered, markdown, out string? cached)) return cached!;
        var html = Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));
        Microsoft.Extensions.Caching.Memory.CacheExtensions.Set(Rendered, markdown, html, new Microsoft.Extensions.Caching.Memory.MemoryCacheEntryOptions
        {
            Size = (markdown.Length + html.Length) * 2L,
            SlidingExpiration = TimeSpan.FromHours(1),
        });
        return html;
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "br", "strong", "em", "b", "i", "del", "ins", "mark", "sub", "sup", "code", "pre", "blockquote",
                "ul", "ol", "li", "dl", "dt", "dd", "h2", "h3", "h4", "h5", "h6", "hr", "a",
                "table", "thead", "tbody", "tr", "th", "td",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "title" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        });
        // A seller's links leave the site without passing on our referrer or ranking.
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } a) a.SetAttribute("rel", "nofollow noopener noreferrer ugc");
        };
        return sanitizer;
    }
}
