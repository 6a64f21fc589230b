using System.Globalization;
using System.Text;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using Microsoft.Extensions.Localization;

namespace Cho40.Web.Pages;

/// <summary>Labels, sorting and charts shared by the province pages.</summary>
public static class ProvinceView
{
    public const string Week = "week", Month = "month";

    public static string Kind(string? kind) => kind == Month ? Month : Week;

    public static string DayKey(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static bool TryParseDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>"Tuần 47/2026 (16/11–22/11)" (ISO week and its year) or "Tháng 11/2026".</summary>
    public static string PeriodLabel(string kind, DateOnly start, DateOnly end, IStringLocalizer t)
    {
        if (kind == Month) return t["Tháng {0}", start.ToString("MM/yyyy", CultureInfo.InvariantCulture)];
        var monday = start.ToDateTime(TimeOnly.MinValue);
        return t["Tuần {0}/{1} ({2}–{3})", ISOWeek.GetWeekOfYear(monday), ISOWeek.GetYear(monday),
            start.ToString("dd/MM", CultureInfo.InvariantCulture), end.AddDays(-1).ToString("dd/MM", CultureInfo.InvariantCulture)];
    }

    /// <summary>Short axis label: "T47" / "11/26".</summary>
    public static string ShortLabel(string kind, DateOnly start) => kind == Month
        ? start.ToString("MM/yy", CultureInfo.InvariantCulture)
        : "T" + ISOWeek.GetWeekOfYear(start.ToDateTime(TimeOnly.MinValue)).ToString(CultureInfo.InvariantCulture);

    /// <summary>Basis points as a percentage with one decimal, the one Vietnamese way in either language ("66,3 %", Formatting).</summary>
    public static string Percent(int? basisPoints) =>
        basisPoints is { } bp ? Formatting.Percent(bp / 100m, 1) : "—";

    public static string Share(long part, long whole) => whole == 0 ? "—" : Formatting.Percent(part * 100m / whole, 0);

    public static string Number(long? value) => value is { } v ? v.ToString("N0", CultureInfo.GetCultureInfo("vi-VN")) : "—";

    /// <summary>The columns a table may be sorted by (?sort=key&amp;dir=asc|desc), each with how it reads a row.</summary>
    public static readonly IReadOnlyDictionary<string, Func<ProvinceStat, IComparable?>> SortKeys = new Dictionary<string, Func<ProvinceStat, IComparable?>>
    {
        ["name"] = s => (s.MarketName ?? s.CommuneName ?? "").ToUpperInvariant(),
        ["commune"] = s => (s.CommuneName ?? "").ToUpperInvariant(),
        ["markets"] = s => s.Markets,
        ["stalls"] = s => s.Stalls,
        ["qr_sign"] = s => s.StallsQrSign,
        ["active"] = s => s.StallsActive,
        ["paid_qr"] = s => s.StallsPaidQr,
        ["qr_share"] = s => s.QrShareBp ?? -1,
        ["qr_vnd"] = s => s.TakingsQrVnd,
        ["cash_vnd"] = s => s.TakingsCashVnd,
        ["sellers"] = s => s.SellersOnline ?? 0,
        ["products"] = s => s.ProductsOnline ?? 0,
        ["traceable"] = s => s.ProductsTraceable ?? 0,
        ["scans"] = s => s.TraceScans ?? 0,
        ["orders"] = s => s.Orders ?? 0,
        ["cod_vnd"] = s => s.CodVnd ?? 0,
    };

    /// <summary>Rows sorted by a known key (unknown keys: by name), ties by name; descending unless <paramref name="dir"/> is "asc".</summary>
    public static IReadOnlyList<ProvinceStat> Sort(IEnumerable<ProvinceStat> rows, string sort, string dir)
    {
        var key = SortKeys.TryGetValue(sort, out var k) ? k : SortKeys["name"];
        var name = SortKeys["name"];
        var ordered = dir == "asc"
            ? rows.OrderBy(key).ThenBy(name)
            : rows.OrderByDescending(key).ThenBy(name);
        return ordered.ToList();
    }

    /// <summary>
    /// A stacked bar chart of stall takings per period (QR and cash), as plain SVG markup with classes (colours in site.css;
    /// the CSP allows no inline style), a &lt;title&gt; per bar for its figures, no script.
    /// </summary>
    public static string TakingsChart(IReadOnlyList<ProvinceStat> series, string kind, string ariaLabel, string qrWord, string cashWord)
    {
        const int width = 640, height = 240, left = 8, right = 8, top = 24, bottom = 28;
        var max = Math.Max(1, series.Count == 0 ? 1 : series.Max(s => s.TakingsQrVnd + s.TakingsCashVnd));
        var slots = Math.Max(1, series.Count);
        var plotWidth = width - left - right;
        var plotHeight = height - top - bottom;
        var slot = (double)plotWidth / slots;
        var bar = Math.Max(2, slot * 0.7);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"report-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{E(ariaLabel)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"chart-axis\" x=\"{left}\" y=\"14\">{E(Formatting.Vnd(max))}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"chart-base\" x1=\"{left}\" y1=\"{top + plotHeight}\" x2=\"{width - right}\" y2=\"{top + plotHeight}\"/>");
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var x = left + i * slot + (slot - bar) / 2;
            var label = ShortLabel(kind, s.PeriodStart);
            var y = (double)(top + plotHeight);
            svg.Append("<g class=\"chart-period\" data-period=\"").Append(DayKey(s.PeriodStart)).Append("\">");
            svg.Append("<title>").Append(E($"{label}: {qrWord} {Formatting.Vnd(s.TakingsQrVnd)}, {cashWord} {Formatting.Vnd(s.TakingsCashVnd)}, QR {Percent(s.QrShareBp)}")).Append("</title>");
            foreach (var (cls, value) in new[] { ("chart-qr", s.TakingsQrVnd), ("chart-cash", s.TakingsCashVnd) })
            {
                if (value <= 0) continue;
                var h = value * (double)plotHeight / max;
                y -= h;
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"{cls}\" x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(bar)}\" height=\"{F(h)}\"/>");
            }
            svg.Append("</g>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"chart-axis\" x=\"{F(left + i * slot + slot / 2)}\" y=\"{height - 10}\" text-anchor=\"middle\">{E(label)}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>Escapes markup characters only (WebUtility would turn every Vietnamese letter into an entity).</summary>
    public static string E(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
