using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// Every <c>&lt;table&gt;</c> with a <c>&lt;thead&gt;</c> gets the class <c>stacked</c> and, on each body cell, a
/// <c>data-label</c> with its column's heading: on a narrow screen (site.css) each row becomes a block of
/// "Heading: value" lines instead of a table wider than the phone. Server-side, so it needs no script.
/// </summary>
[HtmlTargetElement("table")]
public sealed partial class StackedTableTagHelper(HtmlEncoder encoder) : TagHelper
{
    /// <summary>Set to false on a table that must stay a grid (e.g. a printed sheet).</summary>
    [HtmlAttributeName("stack")]
    public bool Stack { get; set; } = true;

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        if (!Stack) return;
        var content = (await output.GetChildContentAsync()).GetContent();
        var head = Head().Match(content);
        if (!head.Success) return;
        var labels = new List<string>();
        foreach (Match th in HeadCell().Matches(head.Groups[1].Value))
        {
            var text = WebUtility.HtmlDecode(Tags().Replace(th.Groups[2].Value, " ")).Trim();
            text = Spaces().Replace(text, " ");
            for (var i = 0; i < Span(th.Groups[1].Value); i++) labels.Add(text);
        }
        if (labels.Count == 0) return;

        var body = content[(head.Index + head.Length)..];
        // Body rows only: a footer's cells (totals) are not the column's values and keep no label.
        var rewritten = Body().Replace(body, section => Row().Replace(section.Value, row =>
        {
            var column = 0;
            return Cell().Replace(row.Value, cell =>
            {
                var attributes = cell.Groups[2].Value;
                var index = column;
                column += Span(attributes);
                if (cell.Groups[1].Value != "td" || index >= labels.Count || labels[index].Length == 0
                    || attributes.Contains("data-label", StringComparison.Ordinal) || Span(attributes) > 1)
                    return cell.Value;
                return $"<td{attributes} data-label=\"{encoder.Encode(labels[index])}\">";
            });
        }));
        output.Content.SetHtmlContent(new StringBuilder(content, 0, head.Index + head.Length, content.Length + labels.Count * 32)
            .Append(rewritten).ToString());
        var classes = output.Attributes.TryGetAttribute("class", out var existing) ? existing.Value?.ToString() + " stacked" : "stacked";
        output.Attributes.SetAttribute("class", classes);
    }

    private static int Span(string attributes) =>
        ColSpan().Match(attributes) is { Success: true } m && int.TryParse(m.Groups[1].Value, out var n) && n is > 0 and < 50 ? n : 1;

    [GeneratedRegex(@"<thead\b[^>]*>(.*?)</thead>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Head();

    [GeneratedRegex(@"<th\b([^>]*)>(.*?)</th>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex HeadCell();

    [GeneratedRegex(@"<tbody\b[^>]*>.*?</tbody>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Body();

    [GeneratedRegex(@"<tr\b[^>]*>.*?</tr>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Row();

    [GeneratedRegex(@"<(td|th)\b([^>]*)>", RegexOptions.IgnoreCase)]
    private static partial Regex Cell();

    [GeneratedRegex(@"colspan\s*=\s*""?(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex ColSpan();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
