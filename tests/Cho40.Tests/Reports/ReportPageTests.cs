using System.Diagnostics;
using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Cho40.Tests.Stalls;
using MiniExcelLibs;
using Sylvan.Data.Csv;
using static Cho40.Tests.Reports.ReportTestData;

namespace Cho40.Tests.Reports;

/// <summary>Report pages: who sees what (others' ids 404), the chart, and the downloads' figures.</summary>
public sealed class ReportPageTests : IAsyncLifetime
{
    private Cho40App app = null!;
    private long stall, market, otherMarket, tanCuong, laBang;

    public async Task InitializeAsync()
    {
        app = await Cho40App.StartAsync(withDemoData: true);
        stall = await StallIdAsync(app, "cho-thai", "A01");
        market = await IdAsync(app, "markets", "cho-thai");
        otherMarket = await IdAsync(app, "markets", "cho-dong-quang");
        tanCuong = await IdAsync(app, "sellers", "htx-che-tan-cuong");
        laBang = await IdAsync(app, "sellers", "htx-che-la-bang");
        var product = (await ProductsOfAsync(app, tanCuong))[0];
        for (var d = Day.AddDays(-3); d <= Day; d = d.AddDays(1))
        {
            var n = d.DayNumber - Day.DayNumber + 4; // 1..4
            await PaymentAsync(app, stall, "cash", n * 10_000, StartOf(d).AddHours(8));
            await PaymentAsync(app, stall, "qr", n * 100_000 + 500, StartOf(d).AddHours(10));
            await OrderAsync(app, tanCuong, product, n, 150_000, "cod", "placed", StartOf(d).AddHours(9));
            await app.ComputeAsync(d);
        }
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Each_report_page_answers_its_keepers_and_404_to_everyone_else()
    {
        var stallUrl = $"/Stall/{stall}/Reports";
        var sellerUrl = $"/Seller/Reports/{tanCuong}";
        var marketUrl = $"/Market/{market}/Reports";

        using var anonymous = app.NewClient();
        foreach (var url in new[] { stallUrl, sellerUrl, marketUrl, "/Admin/Reports", $"{stallUrl}?handler=Csv" })
        {
            var response = await anonymous.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/Account/SignIn", response.Headers.Location!.PathAndQuery);
        }

        using var owner = app.NewClient();
        await owner.SignInAsync("0900000004");
        using var helper = app.NewClient();
        await helper.SignInAsync("0900000005");
        using var stranger = app.NewClient();
        await stranger.SignUpAndSignInAsync("0912000111", "Người lạ");
        using var tanCuongMember = app.NewClient();
        await tanCuongMember.SignInAsync("0900000003");
        using var laBangMember = app.NewClient();
        await laBangMember.SignInAsync("0900000007");
        using var manager = app.NewClient();
        await manager.SignInAsync("0900000002");
        using var admin = app.NewClient();
        await admin.SignInAsync("0900000001");

        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync(stallUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await helper.Http.GetAsync(stallUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync(stallUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"{stallUrl}?handler=Pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync(stallUrl)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await tanCuongMember.Http.GetAsync(sellerUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tanCuongMember.Http.GetAsync("/Seller/Reports")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laBangMember.Http.GetAsync(sellerUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await laBangMember.Http.GetAsync($"{sellerUrl}?handler=Xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await laBangMember.Http.GetAsync($"/Seller/Reports/{laBang}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await manager.Http.GetAsync(marketUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/Market/{otherMarket}/Reports")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await manager.Http.GetAsync($"/Market/{otherMarket}/Reports?handler=Csv")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/Market/{otherMarket}/Reports")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await owner.Http.GetAsync(marketUrl)).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await manager.Http.GetAsync("/Admin/Reports")).StatusCode);

        // The admin sees any scope, and the day's overview lists markets and sellers.
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/Admin/Reports/seller/{tanCuong}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/Admin/Reports/seller/999999")).StatusCode);
        var (_, overview) = await admin.GetPageAsync("/Admin/Reports?day=2031-03-10");
        Assert.Contains("Chợ Thái", overview.QuerySelector($"#overview tr[data-scope='market-{market}']")!.TextContent);
        Assert.Contains("600.000", overview.QuerySelector($"#overview tr[data-scope='seller-{tanCuong}']")!.TextContent);
    }

    [Fact]
    public async Task The_stall_page_shows_the_latest_day_by_method_with_comparisons_and_an_svg_chart()
    {
        using var owner = app.NewClient();
        await owner.SignInAsync("0900000004");
        var (_, page) = await owner.GetPageAsync($"/Stall/{stall}/Reports");
        Assert.Equal("2031-03-10", page.QuerySelector("#report")!.GetAttribute("data-day"));
        Assert.Contains("440.500", page.QuerySelector("#report-total")!.TextContent);
        Assert.Contains("40.000", page.QuerySelector("#report-methods tr[data-method='cash']")!.TextContent);
        Assert.Contains("400.500", page.QuerySelector("#report-methods tr[data-method='qr']")!.TextContent);
        Assert.Contains("90,92\u00A0%", page.QuerySelector("#report-cashless")!.TextContent);   // 400,500 / 440,500
        Assert.Contains("+33,3\u00A0% so với ngày trước đó", page.QuerySelector("#report-vs-previous")!.TextContent); // vs 330,500
        Assert.Contains("220.500", page.QuerySelector("#report-vs-avg7")!.TextContent);    // avg of 110,500, 220,500, 330,500

        // The chart: inline SVG from the server, one bar group per day that has a report, no inline style.
        var svg = page.QuerySelector("#report-chart svg.report-chart")!;
        Assert.Equal(["2031-03-07", "2031-03-08", "2031-03-09", "2031-03-10"],
            svg.QuerySelectorAll("g.chart-day").Select(g => g.GetAttribute("data-day")!).ToArray());
        Assert.Equal(8, svg.QuerySelectorAll("rect.chart-cash, rect.chart-qr").Length);
        Assert.Null(svg.QuerySelector("[style]"));
        Assert.Equal(10, svg.QuerySelectorAll("rect.chart-missing").Length); // 14 days shown, 4 with reports

        // An earlier day by query, and a day without a report.
        var (_, earlier) = await owner.GetPageAsync($"/Stall/{stall}/Reports?day=2031-03-08");
        Assert.Contains("220.500", earlier.QuerySelector("#report-total")!.TextContent);
        var (_, missing) = await owner.GetPageAsync($"/Stall/{stall}/Reports?day=2030-01-01");
        Assert.Contains("Chưa có báo cáo ngày 01/01/2030", missing.QuerySelector(".report-day .field-error")!.TextContent);
    }

    [Fact]
    public async Task Downloads_carry_the_stored_figures_as_xlsx_csv_and_pdf()
    {
        using var member = app.NewClient();
        await member.SignInAsync("0900000003");
        var url = $"/Seller/Reports/{tanCuong}";
        var report = (await app.ReportQueries().FindAsync("seller", tanCuong, Day))!;
        Assert.Equal(600_000, report.CodVnd);

        // XLSX of the day: opens with MiniExcel, figures equal the stored report; top products on their own sheet.
        var xlsx = await member.Http.GetAsync($"{url}?handler=Xlsx&day=2031-03-10");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"bao-cao-seller-{tanCuong}-2031-03-10.xlsx", xlsx.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        await using (var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()))
        {
            var rows = MiniExcel.Query(stream, useHeaderRow: true, sheetName: "bao_cao").Cast<IDictionary<string, object>>().ToList();
            var row = Assert.Single(rows);
            Assert.Equal("2031-03-10", row["Ngày"]);
            Assert.Equal(600_000d, Convert.ToDouble(row["COD (₫)"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(1d, Convert.ToDouble(row["COD (đơn)"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(450_000d, Convert.ToDouble(row["Hôm trước (₫)"], System.Globalization.CultureInfo.InvariantCulture));
            stream.Position = 0;
            var top = MiniExcel.Query(stream, useHeaderRow: true, sheetName: "ban_chay").Cast<IDictionary<string, object>>().Single();
            Assert.Equal(report.TopItems[0].Name, top["Tên"]);
        }

        // CSV of a range: one row per day, parses with Sylvan, sums equal the stored reports.
        var csv = await member.Http.GetAsync($"{url}?handler=Csv&from=2031-03-07&to=2031-03-10");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        using (var reader = CsvDataReader.Create(new StringReader(await csv.Content.ReadAsStringAsync())))
        {
            var days = new List<string>();
            long cod = 0;
            while (await reader.ReadAsync())
            {
                days.Add(reader.GetString(reader.GetOrdinal("Ngày")));
                cod += long.Parse(reader.GetString(reader.GetOrdinal("COD (₫)")), System.Globalization.CultureInfo.InvariantCulture);
            }
            Assert.Equal(["2031-03-07", "2031-03-08", "2031-03-09", "2031-03-10"], days);
            Assert.Equal(150_000L * (1 + 2 + 3 + 4), cod);
        }

        // PDF of the day and of the range: a real PDF whose text carries the totals.
        var dayPdf = await PdfTextAsync(await member.Http.GetByteArrayAsync($"{url}?handler=Pdf&day=2031-03-10"));
        Assert.Contains("Báo cáo bán hàng ngày 10/03/2031", dayPdf);
        Assert.Contains("HTX Chè Tân Cương", dayPdf);
        Assert.Contains("600.000", dayPdf);
        var rangePdf = await PdfTextAsync(await member.Http.GetByteArrayAsync($"{url}?handler=Pdf&from=2031-03-07&to=2031-03-10"));
        Assert.Contains("1.500.000", rangePdf); // the range's total

        // A wrong range is answered on the page, next to the field.
        var wrong = await member.Http.GetAsync($"{url}?handler=Csv&from=2031-03-10&to=2031-03-01");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("Từ ngày phải trước hoặc bằng đến ngày.", await wrong.Content.ReadAsStringAsync());
    }

    private static async Task<string> PdfTextAsync(byte[] pdf)
    {
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(pdf, 0, 4));
        var path = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", [path, "-"]) { RedirectStandardOutput = true })!;
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return text;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
