using System.Globalization;
using Cho40.Db;
using Cho40.Db.Domain;
using SkiaSharp;

namespace Cho40.Web.Pages.Seller.Settlement;

/// <summary>A seller's settlement statement as an A4 PDF (SkiaSharp, DejaVu Sans embedded: Vietnamese glyphs), one row per order.</summary>
public static class SettlementStatementPdf
{
    private const float Mm = 72f / 25.4f;
    private static readonly CultureInfo Vi = new("vi-VN");
    private static readonly Lazy<SKTypeface> Regular = new(() => Load("fonts/DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> Bold = new(() => Load("fonts/DejaVuSans-Bold.ttf"));

    private static string Vnd(long v) => Cho40.Web.Infrastructure.Formatting.Vnd(v);

    public static byte[] Render(SettlementRun run, string sellerName, IReadOnlyList<SettlementItem> items, Payout? payout)
    {
        using var output = new MemoryStream();
        using (var document = SKDocument.CreatePdf(output, new SKDocumentPdfMetadata
               {
                   Title = $"Bảng kê quyết toán {run.CycleKey} — {sellerName}", Creator = "Chợ 4.0", Producer = "Chợ 4.0",
               }))
        {
            using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            using var text = new SKFont(Regular.Value, 9);
            using var bold = new SKFont(Bold.Value, 9);
            using var title = new SKFont(Bold.Value, 14);
            float[] columns = [15, 45, 75, 105, 125, 145, 165, 195];
            string[] headers = ["Mã đơn", "Loại", "Thực nhận", "Phí VC", "Phí COD", "Phí hoàn", "Hoa hồng", "Nhận"];
            SKCanvas? canvas = null;
            float y = 0;
            void NewPage()
            {
                if (canvas is not null) document.EndPage();
                canvas = document.BeginPage(210 * Mm, 297 * Mm);
                canvas.DrawText($"Chợ 4.0 — Bảng kê quyết toán {run.CycleKey}", 15 * Mm, 20 * Mm, SKTextAlign.Left, title, paint);
                canvas.DrawText(sellerName, 15 * Mm, 27 * Mm, SKTextAlign.Left, bold, paint);
                y = 36 * Mm;
                for (var c = 0; c < headers.Length; c++)
                    canvas.DrawText(headers[c], columns[c] * Mm, y, c < 2 ? SKTextAlign.Left : SKTextAlign.Right, bold, paint);
                y += 6 * Mm;
            }
            NewPage();
            foreach (var i in items)
            {
                if (y > 275 * Mm) NewPage();
                string[] cells = [i.OrderCode, i.Kind == "cod" ? "COD" : "Chuyển khoản", Vnd(i.ReceivedVnd), Vnd(i.ShippingFeeVnd), Vnd(i.CodFeeVnd),
                    Vnd(i.ReturnFeeVnd), Vnd(i.CommissionVnd), Vnd(i.NetVnd)];
                for (var c = 0; c < cells.Length; c++)
                    canvas!.DrawText(cells[c], columns[c] * Mm, y, c < 2 ? SKTextAlign.Left : SKTextAlign.Right, text, paint);
                y += 5 * Mm;
            }
            y += 4 * Mm;
            canvas!.DrawText($"Cộng: {Vnd(items.Sum(i => i.NetVnd))}", 195 * Mm, y, SKTextAlign.Right, bold, paint);
            y += 6 * Mm;
            canvas.DrawText(payout is null ? "Kỳ này không có khoản chi trả." : $"Chi trả kỳ này: {Vnd(payout.AmountVnd)} ({PayoutStatus(payout)})",
                195 * Mm, y, SKTextAlign.Right, bold, paint);
            document.EndPage();
            document.Close();
        }
        return output.ToArray();
    }

    private static SKTypeface Load(string name)
    {
        using var stream = typeof(SettlementStatementPdf).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in Cho40.Web");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"{name} does not load");
    }

    /// <summary>The statement is in Vietnamese, like the bank file it goes with.</summary>
    private static string PayoutStatus(Payout payout) => payout.Status switch
    {
        "paid" => "đã chuyển khoản" + (payout.DecidedAt is { } at ? " " + VietnamTime.ToVietnam(at).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture) : ""),
        "failed" => "chuyển khoản không thành công, sẽ trả ở kỳ sau",
        _ => "chờ chuyển khoản",
    };
}
