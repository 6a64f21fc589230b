using System.Net;
using System.Net.Http.Headers;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Settlement.SettlementData;

namespace Cho40.Tests.Cod;

public sealed class SettlementMoneyParsingTests
{
    [Theory]
    [InlineData("1.250.000", 1_250_000)]
    [InlineData("1250000", 1_250_000)]
    [InlineData("1,250,000 đ", 1_250_000)]
    [InlineData("1.250.000 ₫", 1_250_000)]
    [InlineData("1 250 000 VNĐ", 1_250_000)]
    [InlineData("1250000.00", 1_250_000)]
    [InlineData("0", 0)]
    [InlineData("999", 999)]
    public void Settlement_money_is_read_as_whole_dong(string text, long expected)
    {
        Assert.True(CodStatementFormats.TryParseVnd(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("-30000")]
    [InlineData("12.5")]
    [InlineData("1.25.000")]
    [InlineData("abc")]
    [InlineData("")]
    public void Settlement_money_that_is_not_whole_dong_is_refused(string text) =>
        Assert.False(CodStatementFormats.TryParseVnd(text, out _));
}

public sealed class CodStatementImportTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;
    private CodStatements Statements => App.Services.GetRequiredService<CodStatements>();
    private DateTimeOffset Now => App.Clock.GetUtcNow();

    [Fact]
    public async Task A_canonical_csv_is_loaded_with_every_field_and_money_format()
    {
        var (a, b, c) = (NewTracking(), NewTracking(), NewTracking());
        var file = Csv(CanonicalHeader,
            $"{a.ToLowerInvariant()},DH-7KQ3XM,\"1.250.000\",\"30.000 đ\",12500,0,Đã giao,05/11/2026,12/11/2026",
            $"{b},,0,30000,0,15000,Đã trả hàng,,12/11/2026",
            $"{c},DH-8MN4PQ,\"1,250,000 đ\",30000,0,0,Thất lạc,,2026-11-13");
        // A lost parcel carries no cash: the third row is refused, with its row number.
        var refused = await Statements.ImportAsync("GHN", "bad.csv", file, null, Now);
        Assert.Equal(CodImportStatus.Rejected, refused.Status);
        Assert.Equal(["Dòng 4: đơn hoàn hoặc thất lạc không thể có tiền thu hộ."], refused.Errors);

        file = Csv(CanonicalHeader,
            $"{a.ToLowerInvariant()},DH-7KQ3XM,\"1.250.000\",\"30.000 đ\",12500,0,Đã giao,05/11/2026,12/11/2026",
            $"{b},,0,30000,0,15000,Đã trả hàng,,12/11/2026",
            $"{c},DH-8MN4PQ,0,30000,0,0,Thất lạc,,2026-11-13");
        var result = await Statements.ImportAsync("Viettel Post", "bang-ke.csv", file, null, Now);
        Assert.Equal(CodImportStatus.Imported, result.Status);
        Assert.Equal(3, result.Lines);
        var statement = (await Statements.FindAsync(result.StatementId!.Value))!;
        Assert.Equal(("canonical", 1_250_000L, new DateOnly(2026, 11, 12), new DateOnly(2026, 11, 13)),
            (statement.Format, statement.TotalCodVnd, statement.PeriodFrom!.Value, statement.PeriodTo!.Value));
        var lines = await Statements.LinesAsync(statement.Id);
        Assert.Equal(
            [(2, a, "DH-7KQ3XM", 1_250_000L, 30_000L, 12_500L, 0L, "delivered", (DateOnly?)new DateOnly(2026, 11, 5)),
             (3, b, null, 0, 30_000, 0, 15_000, "returned", null),
             (4, c, "DH-8MN4PQ", 0, 30_000, 0, 0, "lost", null)],
            lines.Select(l => (l.RowNumber, l.TrackingCode, l.OrderCode, l.CodVnd, l.ShippingFeeVnd, l.CodFeeVnd, l.ReturnFeeVnd, l.Status, l.DeliveredOn)));
        Assert.All(lines, l => Assert.Equal("Viettel Post", l.Carrier));
    }

    [Fact]
    public async Task A_ghn_xlsx_with_a_title_row_is_proposed_from_aliases_confirmed_once_and_the_next_file_imports_without_asking()
    {
        // A carrier of its own for this test, so that no other test's confirmed mapping is used.
        var carrier = "GHN";
        await ExecuteAsync("DELETE FROM cod_carrier_mappings WHERE carrier = 'GHN'");
        var t1 = NewTracking();
        var xlsx = Xlsx("BẢNG ĐỐI SOÁT COD — phiên 12/11/2026",
            ["STT", "Mã đơn GHN", "Mã đơn khách hàng", "Tiền thu hộ", "Phí vận chuyển", "Phí COD", "Phí hoàn", "Trạng thái", "Ngày giao hàng"],
            [1, t1, "DH-7KQ3XM", 350000, 22000, 0, 0, "Giao thành công", new DateTime(2026, 11, 10)]);
        var first = await Statements.ImportAsync(carrier, "ghn.xlsx", xlsx, null, Now);
        Assert.Equal(CodImportStatus.NeedsMapping, first.Status);
        var proposal = first.Proposal!;
        Assert.Equal((1, "ghn"), (proposal.HeaderIndex, proposal.Source));
        Assert.Equal(
            new Dictionary<CodField, int>
            {
                [CodField.TrackingCode] = 1, [CodField.OrderCode] = 2, [CodField.Cod] = 3, [CodField.ShippingFee] = 4, [CodField.CodFee] = 5,
                [CodField.ReturnFee] = 6, [CodField.Status] = 7, [CodField.DeliveredOn] = 8,
            },
            proposal.Columns.OrderBy(c => c.Key).ToDictionary());
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_statement_lines WHERE tracking_code = @t1", new { t1 }));

        await Statements.SaveSettingsAsync(carrier, proposal.Columns.ToDictionary(c => c.Key, c => proposal.Headers[c.Value]),
            new Dictionary<string, string>(), null, Now);
        var imported = (await Statements.ImportUploadAsync(first.UploadId!.Value, null, Now))!;
        Assert.True(imported.Status == CodImportStatus.Imported, string.Join("\n", imported.Errors));
        var line = Assert.Single(await Statements.LinesAsync(imported.StatementId!.Value));
        Assert.Equal((3, t1, 350_000L, 22_000L, "delivered", (DateOnly?)new DateOnly(2026, 11, 10), "Giao thành công"),
            (line.RowNumber, line.TrackingCode, line.CodVnd, line.ShippingFeeVnd, line.Status, line.DeliveredOn, line.CarrierStatus));
        Assert.Null(await Statements.UploadAsync(first.UploadId.Value));

        // The next session's file, same columns (another title): imported straight away.
        var t2 = NewTracking();
        var next = await Statements.ImportAsync(carrier, "ghn-2.xlsx", Xlsx("BẢNG ĐỐI SOÁT COD — phiên 19/11/2026",
            ["STT", "Mã đơn GHN", "Mã đơn khách hàng", "Tiền thu hộ", "Phí vận chuyển", "Phí COD", "Phí hoàn", "Trạng thái", "Ngày giao hàng"],
            [1, t2, "", 120000, 22000, 1200, 0, "Đã giao", new DateTime(2026, 11, 17)]), null, Now);
        Assert.True(next.Status == CodImportStatus.Imported, next.Status + string.Join("\n", next.Errors));
        Assert.Equal("saved", (await Statements.FindAsync(next.StatementId!.Value))!.Format);

        // A GHN file declared as GHTK's is refused.
        var wrong = await Statements.ImportAsync("GHTK", "ghn2.xlsx", Xlsx(null,
            ["Mã đơn GHN", "Tiền thu hộ", "Trạng thái"], [NewTracking(), 1000, "Đã giao"]), null, Now);
        Assert.Equal(CodImportStatus.Rejected, wrong.Status);
    }

    private async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var connection = new Npgsql.NpgsqlConnection(App.ConnectionString);
        await Dapper.SqlMapper.ExecuteAsync(connection, sql, args);
    }

    [Fact]
    public async Task A_malformed_file_lists_every_problem_by_row_and_stores_nothing()
    {
        var before = await ScalarAsync<long>(App, "SELECT count(*) FROM cod_statement_lines");
        var dup = NewTracking();
        var file = Csv(CanonicalHeader,
            $"{dup},DH-7KQ3XM,100000,30000,0,0,Đã giao,05/11/2026,",
            $",DH-7KQ3XM,100000,30000,0,0,Đã giao,05/11/2026,",
            $"{NewTracking()},,12.5,30000,0,0,Đã giao,05/11/2026,",
            $"{NewTracking()},,100000,-5,0,0,Đã giao,31/02/2026,",
            $"{dup},,100000,30000,0,0,Đã giao,05/11/2026,",
            $"{NewTracking()},,100000,30000,0,0,Đã giao,,");
        var result = await Statements.ImportAsync("GHN", "bad.csv", file, null, Now);
        Assert.Equal(CodImportStatus.Rejected, result.Status);
        Assert.Equal(5, result.Errors.Count);
        Assert.StartsWith("Dòng 3: thiếu mã vận đơn", result.Errors[0]);
        Assert.StartsWith("Dòng 4: tiền thu hộ «12.5»", result.Errors[1]);
        Assert.Equal("Dòng 5: phí vận chuyển «-5» không phải số tiền hợp lệ (đồng, không có số lẻ); "
                     + "ngày giao «31/02/2026» không phải ngày hợp lệ (dd/mm/yyyy).",
            result.Errors[2]);
        Assert.Equal($"Dòng 6: mã vận đơn {dup} trùng với dòng 2.", result.Errors[3]);
        Assert.Equal("Dòng 7: đơn đã giao nhưng thiếu ngày giao.", result.Errors[4]);
        Assert.Equal(before, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_statement_lines"));
        Assert.Equal(0L, await ScalarAsync<long>(App, "SELECT count(*) FROM cod_statements WHERE file_name = 'bad.csv'"));

        // Columns nobody recognises, or a missing required one: the file waits for an admin to say which column is which.
        var noHeader = await Statements.ImportAsync("J&T Express", "x.csv", Csv("a,b,c", "1,2,3"), null, Now);
        Assert.Equal((CodImportStatus.NeedsMapping, 0), (noHeader.Status, noHeader.Proposal!.Columns.Count));
        Assert.NotNull(noHeader.UploadId);
        var missing = await Statements.ImportAsync("J&T Express", "x.csv", Csv("Mã vận đơn,Mã đơn hàng,Trạng thái", "A1,,Đã giao"), null, Now);
        Assert.Equal(CodImportStatus.NeedsMapping, missing.Status);
        Assert.False(missing.Proposal!.Columns.ContainsKey(CodField.Cod));
        var garbage = await Statements.ImportAsync("GHN", "x.xlsx", [(byte)'P', (byte)'K', 3, 4, 1, 2, 3], null, Now);
        Assert.Equal(CodImportStatus.Rejected, garbage.Status);
    }

    [Fact]
    public async Task The_same_statement_twice_is_recognised_and_an_overlapping_one_counts_each_shipment_once()
    {
        var (a, b, c) = (NewTracking(), NewTracking(), NewTracking());
        var file = Csv(CanonicalHeader, $"{a},,100000,30000,0,0,Đã giao,05/11/2026,", $"{b},,200000,30000,0,0,Đã giao,05/11/2026,");
        var first = await Statements.ImportAsync("GHN", "w45.csv", file, null, Now);
        var again = await Statements.ImportAsync("GHN", "w45-copy.csv", file, null, Now);
        Assert.Equal((CodImportStatus.AlreadyUploaded, first.StatementId), (again.Status, again.StatementId));

        // The next week's file repeats shipment b: kept, pointed at the first line, not counted.
        var next = await Statements.ImportAsync("GHN", "w46.csv",
            Csv(CanonicalHeader, $"{b},,200000,30000,0,0,Đã giao,05/11/2026,", $"{c},,300000,30000,0,0,Đã giao,12/11/2026,"), null, Now);
        Assert.Equal((CodImportStatus.Imported, 2, 1), (next.Status, next.Lines, next.DuplicateLines));
        var stored = (await Statements.FindAsync(next.StatementId!.Value))!;
        Assert.Equal(300_000, stored.TotalCodVnd);
        var lines = await Statements.LinesAsync(next.StatementId.Value);
        Assert.Equal("duplicate", lines.Single(l => l.TrackingCode == b).Outcome);
        Assert.Equal(2L, await ScalarAsync<long>(App,
            "SELECT count(*) FROM cod_statement_lines WHERE tracking_code = @b", new { b }));
        Assert.Equal(1L, await ScalarAsync<long>(App,
            "SELECT count(*) FROM cod_statement_lines WHERE tracking_code = @b AND duplicate_of IS NULL", new { b }));

        // The same shipment with another carrier is another shipment.
        var other = await Statements.ImportAsync("GHTK", "ghtk.csv", Csv(CanonicalHeader, $"{b},,200000,30000,0,0,Đã giao,05/11/2026,"), null, Now);
        Assert.Equal((1, 0), (other.Lines, other.DuplicateLines));
    }

    [Fact]
    public async Task An_admin_uploads_through_the_page_sees_every_error_and_downloads_the_template()
    {
        using var admin = App.NewClient();
        await admin.SignInAsync("0900000001");
        var template = await admin.Http.GetAsync("/Admin/Cod?handler=Template");
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        var templateBytes = await template.Content.ReadAsByteArrayAsync();
        Assert.Equal(2, CodStatementFormats.Parse(templateBytes, "GHN").Lines.Count);

        async Task<HttpResponseMessage> UploadAsync(byte[] content, string carrier = "GHN")
        {
            var (_, page) = await admin.GetPageAsync("/Admin/Cod");
            var token = page.QuerySelector("form.cod-upload input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            using var form = new MultipartFormDataContent
            {
                { new StringContent(token), "__RequestVerificationToken" },
                { new StringContent(carrier), "Input.Carrier" },
            };
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "Input.File", "bang-ke.csv");
            return await admin.Http.PostAsync("/Admin/Cod", form);
        }

        var bad = await UploadAsync(Csv(CanonicalHeader, $"{NewTracking()},,abc,0,0,0,Đã giao,05/11/2026,", $"{NewTracking()},,1000,0,0,0,Đã giao,,"));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var html = await bad.Content.ReadAsStringAsync();
        Assert.Contains("Dòng 2: tiền thu hộ «abc»", html);
        Assert.Contains("Dòng 3: đơn đã giao nhưng thiếu ngày giao", html);

        var good = Csv(CanonicalHeader, $"{NewTracking()},,1000,0,0,0,Đã giao,05/11/2026,");
        var ok = await UploadAsync(good);
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        var location = ok.Headers.Location!.OriginalString;
        Assert.StartsWith("/Admin/Cod/Statement/", location);
        var (detail, _) = await admin.GetPageAsync(location);
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        var twice = await UploadAsync(good);
        Assert.Equal(location, twice.Headers.Location!.OriginalString);

        using var shopper = App.NewClient();
        await shopper.SignInAsync("0900000006");
        Assert.NotEqual(HttpStatusCode.OK, (await shopper.Http.GetAsync("/Admin/Cod")).StatusCode);
    }
}
