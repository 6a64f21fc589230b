using System.Globalization;
using System.Net;
using System.Text;
using Cho40.Db;

namespace Cho40.Web.Reports;

/// <summary>
/// A server-rendered SVG chart: revenue per day, stacked by payment method (cash, QR transfer, COD). Plain markup with
/// classes (colours in site.css; the CSP allows no inline style), a &lt;title&gt; per bar, no script.
/// </summary>
public static class ReportChart
{
    private const int Width = 640, Height = 240, Left = 8, Right = 8, Top = 24, Bottom = 28;

    /// <param name="labels">Accessible name and legend words: (chart, cash, qr, cod, no report).</param>
    public static string Svg(DateOnly from, DateOnly to, IReadOnlyList<DailyReport> reports, ChartLabels labels)
    {
        var byDay = reports.ToDictionary(r => r.ReportDay);
        var days = to.DayNumber - from.DayNumber + 1;
        var max = Math.Max(1, reports.Count == 0 ? 1 : reports.Max(r => r.TotalVnd));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var slot = (double)plotWidth / days;
        var barWidth = Math.Max(2, slot * 0.7);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"report-chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{E(labels.Chart)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"chart-axis\" x=\"{Left}\" y=\"14\">{E(Money(max))}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<line class=\"chart-base\" x1=\"{Left}\" y1=\"{Top + plotHeight}\" x2=\"{Width - Right}\" y2=\"{Top + plotHeight}\"/>");
        for (var i = 0; i < days; i++)
        {
            var day = from.AddDays(i);
            var x = Left + i * slot + (slot - barWidth) / 2;
            var label = day.ToString("dd/MM", CultureInfo.InvariantCulture);
            if (!byDay.TryGetValue(day, out var r))
            {
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"chart-missing\" x=\"{F(x)}\" y=\"{Top + plotHeight - 2}\" width=\"{F(barWidth)}\" height=\"2\"><title>{E(label)}: {E(labels.NoReport)}</title></rect>");
            }
            else
            {
                var y = (double)(Top + plotHeight);
                svg.Append("<g class=\"chart-day\" data-day=\"").Append(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append("\">");
                svg.Append("<title>").Append(E($"{label}: {Money(r.TotalVnd)} ({labels.Cash} {Money(r.CashVnd)}, {labels.Qr} {Money(r.QrVnd)}, {labels.Cod} {Money(r.CodVnd)})")).Append("</title>");
                foreach (var (cls, value) in new[] { ("chart-cash", r.CashVnd), ("chart-qr", r.QrVnd), ("chart-cod", r.CodVnd) })
                {
                    if (value <= 0) continue;
                    var h = value * (double)plotHeight / max;
                    y -= h;
                    svg.Append(CultureInfo.InvariantCulture,
                        $"<rect class=\"{cls}\" x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(barWidth)}\" height=\"{F(h)}\"/>");
                }
                svg.Append("</g>");
            }
            // Day labels: every day for two weeks, every third day for a month.
            if (days <= 14 || i % 3 == (days - 1) % 3)
                svg.Append(CultureInfo.InvariantCulture,
                    $"<text class=\"chart-axis\" x=\"{F(Left + i * slot + slot / 2)}\" y=\"{Height - 10}\" text-anchor=\"middle\">{E(label)}</text>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string Money(long vnd) => Infrastructure.Formatting.Vnd(vnd);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

public sealed record ChartLabels(string Chart, string Cash, string Qr, string Cod, string NoReport);
