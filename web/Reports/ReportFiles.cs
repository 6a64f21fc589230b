using System.Data;
using System.Globalization;
using System.Text;
using Cho40.Db;
using Cho40.Web.Infrastructure;
using MiniExcelLibs;
using SkiaSharp;
using Sylvan.Data.Csv;

namespace Cho40.Web.Reports;

/// <summary>
/// Downloads of daily reports: XLSX (MiniExcel), CSV (Sylvan) and PDF (SkiaSharp, DejaVu Sans embedded). One row per
/// day — a day's report is a range of one day, and its XLSX and PDF also list top items and late arrivals.
/// Money is whole đồng: numbers in XLSX/CSV, "1.500.000 ₫" in the PDF.
/// </summary>
public static class ReportFiles
{
    public static readonly string[] Columns =
    [
        "Ngày", "Tiền mặt (lượt)", "Tiền mặt (₫)", "Chuyển khoản QR (lượt)", "Chuyển khoản QR (₫)", "COD (đơn)", "COD (₫)",
        "Tổng (lượt)", "Tổng (₫)", "Không dùng tiền mặt (%)", "Hôm trước (₫)", "TB 7 ngày trước (₫)", "Đơn hủy/hoàn",
        "Đến muộn (lượt)", "Đến muộn (₫)", "Tính lúc",
    ];

    public static string FileName(ReportScope scope, DateOnly from, DateOnly to, string extension) =>
        $"bao-cao-{scope.Kind}-{scope.Id}-{Day(from)}{(from == to ? "" : "-" + Day(to))}.{extension}";

    public static byte[] Xlsx(IReadOnlyList<DailyReport> reports, IReadOnlyList<ReportLateItem> lateItems)
    {
        var sheets = new Dictionary<string, object> { ["bao_cao"] = Table(reports) };
        if (reports.Count == 1)
        {
            var top = new DataTable();
            foreach (var c in new[] { "Hạng", "Tên", "Số lượng", "Doanh thu (₫)" }) top.Columns.Add(c, c is "Tên" ? typeof(string) : typeof(long));
            var rank = 0;
            foreach (var item in reports[0].TopItems) top.Rows.Add(++rank, item.Name, item.Quantity, item.Vnd);
            sheets["ban_chay"] = top;
        }
        if (lateItems.Count > 0)
        {
            var late = new DataTable();
            foreach (var c in new[] { "Ngày của khoản", "Sạp", "Hình thức", "Số tiền (₫)", "Thời điểm giao dịch", "Ghi nhận lúc" })
                late.Columns.Add(c, c is "Số tiền (₫)" ? typeof(long) : typeof(string));
            foreach (var l in lateItems)
                late.Rows.Add(Day(l.OriginalDay), l.StallLabel, Method(l.Method), l.AmountVnd, Formatting.VietnamDateTime(l.OccurredAt),
                    Formatting.VietnamDateTime(l.RecordedAt));
            sheets["den_muon"] = late;
        }
        using var stream = new MemoryStream();
        stream.SaveAs(sheets);
        return stream.ToArray();
    }

    public static byte[] Csv(IReadOnlyList<DailyReport> reports)
    {
        var table = Table(reports);
        using var stream = new MemoryStream();
        // A byte-order mark: Excel then opens the Vietnamese headers as UTF-8.
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true))
        using (var csv = CsvDataWriter.Create(writer, new CsvDataWriterOptions { NewLine = "\r\n", Culture = CultureInfo.InvariantCulture }))
        {
            csv.Write(table.CreateDataReader());
        }
        return stream.ToArray();
    }

    private static DataTable Table(IReadOnlyList<DailyReport> reports)
    {
        var table = new DataTable("bao_cao");
        foreach (var c in Columns)
            table.Columns.Add(c, c switch
            {
                "Ngày" or "Tính lúc" => typeof(string),
                "Không dùng tiền mặt (%)" => typeof(decimal),
                _ => typeof(long),
            });
        foreach (var r in reports)
        {
            table.Rows.Add(Day(r.ReportDay), (long)r.CashCount, r.CashVnd, (long)r.QrCount, r.QrVnd, (long)r.CodCount, r.CodVnd,
                (long)r.TotalCount, r.TotalVnd, r.CashlessShareBp is { } bp ? bp / 100m : DBNull.Value,
                r.PreviousDayVnd is { } p ? p : DBNull.Value, r.Avg7Vnd is { } a ? a : DBNull.Value, (long)r.CancelledCount,
                (long)r.LateCount, r.LateVnd, Formatting.VietnamDateTime(r.ComputedAt));
        }
        return table;
    }

    // ---- PDF -------------------------------------------------------------------------------------

    private const float Mm = 72f / 25.4f;
    private static readonly Lazy<SKTypeface> Regular = new(() => Load("fonts/DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> Bold = new(() => Load("fonts/DejaVuSans-Bold.ttf"));

    /// <summary>A4 PDF: a day's report (figures by method, comparisons, top items, late arrivals) or a range (a row per day + totals).</summary>
    public static byte[] Pdf(ReportScope scope, DateOnly from, DateOnly to, IReadOnlyList<DailyReport> reports,
        IReadOnlyList<ReportLateItem> lateItems)
    {
        var title = from == to
            ? $"Báo cáo bán hàng ngày {from.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}"
            : $"Báo cáo bán hàng {from.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)} – {to.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}";
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output, new SKDocumentPdfMetadata
               {
                   Title = $"{title} — {scope.Name}", Creator = "Chợ 4.0", Producer = "Chợ 4.0",
               }))
        {
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var text = new SKFont(Regular.Value, 9);
            using var bold = new SKFont(Bold.Value, 9);
            using var heading = new SKFont(Bold.Value, 14);
            SKCanvas canvas = null!;
            float y = 0;
            void NewPage()
            {
                if (canvas is not null) document.EndPage();
                canvas = document.BeginPage(210 * Mm, 297 * Mm);
                canvas.DrawText($"Chợ 4.0 — {title}", 15 * Mm, 20 * Mm, SKTextAlign.Left, heading, paint);
                canvas.DrawText(scope.Name, 15 * Mm, 27 * Mm, SKTextAlign.Left, bold, paint);
                y = 36 * Mm;
            }
            void Line(string left, string right, SKFont font)
            {
                if (y > 280 * Mm) NewPage();
                canvas.DrawText(left, 15 * Mm, y, SKTextAlign.Left, font, paint);
                canvas.DrawText(right, 120 * Mm, y, SKTextAlign.Right, font, paint);
                y += 5.5f * Mm;
            }
            void Row(string[] cells, float[] columns, SKFont font)
            {
                if (y > 280 * Mm) NewPage();
                for (var c = 0; c < cells.Length; c++)
                    canvas.DrawText(cells[c], columns[c] * Mm, y, c == 0 ? SKTextAlign.Left : SKTextAlign.Right, font, paint);
                y += 5 * Mm;
            }
            NewPage();
            if (reports.Count == 0)
            {
                Line("Chưa có báo cáo cho khoảng ngày này.", "", text);
            }
            else if (from == to)
            {
                var r = reports[0];
                Line("Tính lúc", Formatting.VietnamDateTime(r.ComputedAt), text);
                y += 2 * Mm;
                Line("Hình thức", "Số tiền", bold);
                Line($"Tiền mặt ({r.CashCount} lượt)", Formatting.Vnd(r.CashVnd), text);
                Line($"Chuyển khoản QR ({r.QrCount} lượt)", Formatting.Vnd(r.QrVnd), text);
                Line($"COD ({r.CodCount} đơn)", Formatting.Vnd(r.CodVnd), text);
                Line($"Tổng cộng ({r.TotalCount})", Formatting.Vnd(r.TotalVnd), bold);
                y += 2 * Mm;
                Line("Tỷ lệ không dùng tiền mặt", r.CashlessSharePercent is { } s ? Formatting.Percent(s) : "—", text);
                Line("Hôm trước", r.PreviousDayVnd is { } p ? $"{Formatting.Vnd(p)} ({Change(r.ChangeVsPreviousDayPercent, "so với hôm trước")})" : "—", text);
                Line($"Trung bình {r.Avg7Days} ngày trước", r.Avg7Vnd is { } a ? $"{Formatting.Vnd(a)} ({Change(r.ChangeVsAvg7Percent, "so với trung bình 7 ngày")})" : "—", text);
                if (r.CancelledCount > 0) Line("Đơn hủy/hoàn (không tính)", r.CancelledCount.ToString(CultureInfo.InvariantCulture), text);
                if (r.ShortCount > 0) Line("Chuyển khoản thiếu tiền", r.ShortCount.ToString(CultureInfo.InvariantCulture), text);
                if (r.TopItems.Count > 0)
                {
                    y += 3 * Mm;
                    Line(r.ScopeKind == ReportScopes.Market ? "Sạp bán nhiều nhất" : "Sản phẩm bán chạy", "Doanh thu", bold);
                    var rank = 0;
                    foreach (var item in r.TopItems) Line($"{++rank}. {item.Name} × {item.Quantity}", Formatting.Vnd(item.Vnd), text);
                }
                y += 3 * Mm;
                Line($"Đến muộn: {r.LateCount} khoản", Formatting.Vnd(r.LateVnd), bold);
                foreach (var l in lateItems)
                    Line($"Ngày {l.OriginalDay.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)} · {Method(l.Method)} · {l.StallLabel}",
                        Formatting.Vnd(l.AmountVnd), text);
            }
            else
            {
                float[] columns = [15, 55, 90, 120, 155, 195];
                Row(["Ngày", "Tiền mặt", "QR", "COD", "Tổng", "Đến muộn"], columns, bold);
                foreach (var r in reports)
                    Row([r.ReportDay.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), Formatting.Vnd(r.CashVnd), Formatting.Vnd(r.QrVnd),
                        Formatting.Vnd(r.CodVnd), Formatting.Vnd(r.TotalVnd), Formatting.Vnd(r.LateVnd)], columns, text);
                y += 2 * Mm;
                Row(["Cộng", Formatting.Vnd(reports.Sum(r => r.CashVnd)), Formatting.Vnd(reports.Sum(r => r.QrVnd)),
                    Formatting.Vnd(reports.Sum(r => r.CodVnd)), Formatting.Vnd(reports.Sum(r => r.TotalVnd)),
                    Formatting.Vnd(reports.Sum(r => r.LateVnd))], columns, bold);
            }
            document.EndPage();
            document.Close();
        }
        return output.ToArray();
    }

    private static string Change(double? percent, string comparedWith) =>
        percent is { } p ? Formatting.Change(p, comparedWith) : "—";

    public static string Method(string method) => method switch { "cash" => "Tiền mặt", "qr" => "Chuyển khoản QR", _ => "COD" };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static SKTypeface Load(string name)
    {
        using var stream = typeof(ReportFiles).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Cho40.Web");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"{name} does not load");
    }
}
