using System.Globalization;
using System.Net;
using Cho40.Tests.Catalog;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;
using Xunit.Abstractions;
using static Cho40.Tests.Security.UploadAttackFiles;

namespace Cho40.Tests.Security;

/// <summary>A real web process (demo database) whose temporary folder (TMPDIR) is a fresh folder the tests measure.</summary>
public sealed class UploadProcessFixture : IAsyncLifetime
{
    public WebProcess Web { get; private set; } = null!;
    public string Database { get; private set; } = "";
    public string TempFolder { get; } = Directory.CreateTempSubdirectory("cho40-tmpdir-").FullName;

    /// <summary>Settings of the process (environment variables) beyond TMPDIR.</summary>
    public static Dictionary<string, string> Environment(string tempFolder, params (string Key, string Value)[] more)
    {
        var environment = new Dictionary<string, string>
        {
            ["TMPDIR"] = tempFolder,
            ["Cho40__SignInAttemptsPerMinute"] = "1000",
            // The reconciliation a COD upload enqueues would add its CPU to the figures measured here.
            ["Cho40__RunJobsInProcess"] = "false",
        };
        foreach (var (key, value) in more) environment[key] = value;
        return environment;
    }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(withDemoData: true);
        Web = await WebProcess.StartAsync(Database, Environment(TempFolder));
    }

    public Task<PageClient> SignedInAsync(string phone) => SignedInAsync(Web, phone);

    public static async Task<PageClient> SignedInAsync(WebProcess web, string phone)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        var client = new PageClient(new HttpClient(handler) { BaseAddress = new Uri(web.BaseUrl), Timeout = TimeSpan.FromMinutes(3) });
        await client.SignInAsync(phone);
        return client;
    }

    public async Task<long> ScalarAsync(string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(Database);
        return await connection.ExecuteScalarAsync<long>(sql, args);
    }

    public async Task DisposeAsync()
    {
        await Web.DisposeAsync();
        await TestDatabase.DropAsync(Database);
        Directory.Delete(TempFolder, recursive: true);
    }
}

/// <summary>
/// The upload attacks of issue 12, each performed against a real web process and measured with what the kernel counts
/// (CPU time, resident memory, bytes written, the temporary folder). Figures before and after the fix:
/// docs/quality/security-checks.md. Bounds are generous: only the old behaviour breaks them.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class UploadExhaustionTests(UploadProcessFixture fixture, ITestOutputHelper output) : IClassFixture<UploadProcessFixture>
{
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private int Pid => fixture.Web.ProcessId;

    private static Task<HttpResponseMessage> ImportListingsAsync(PageClient seller, string fileName, byte[] bytes) =>
        CatalogTestKit.PostMultipartAsync(seller, "/Seller/Catalog/Import", "main form.form", new Dictionary<string, string>(),
            ("file", fileName, fileName.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : XlsxType, bytes));

    private static Task<HttpResponseMessage> UploadStatementAsync(PageClient admin, string fileName, byte[] bytes) =>
        CatalogTestKit.PostMultipartAsync(admin, "/Admin/Cod", "form.cod-upload", new Dictionary<string, string> { ["Input.Carrier"] = "GHN" },
            ("Input.File", fileName, fileName.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : XlsxType, bytes));

    private async Task<(HttpResponseMessage Response, TimeSpan Cpu)> CpuOfAsync(Func<Task<HttpResponseMessage>> request)
    {
        var before = ProcessFigures.CpuTime(Pid);
        var response = await request();
        await response.Content.LoadIntoBufferAsync();
        return (response, ProcessFigures.CpuTime(Pid) - before);
    }

    [Fact]
    public async Task An_xlsx_whose_dimension_claims_16384_columns_is_read_in_bounded_time_on_both_import_pages()
    {
        using var seller = await fixture.SignedInAsync(CatalogTestKit.LaBangPhone);
        var tag = "XFD" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant(); // tracking codes are stored in capitals

        // The same one-row file without the claim: what a row really costs (and the first request's warm-up).
        var plain = await CpuOfAsync(() => ImportListingsAsync(seller, "mot-dong.xlsx", XfdListingXlsx(tag + "a", 1, claimXfd: false)));
        Assert.Equal(HttpStatusCode.Redirect, plain.Response.StatusCode);
        var oneFile = XfdListingXlsx(tag + "b", 1);
        var one = await CpuOfAsync(() => ImportListingsAsync(seller, "xfd-1.xlsx", oneFile));
        output.WriteLine($"listing import: 1 row without the claim {plain.Cpu.TotalSeconds:F2} s CPU; 1 row A1:XFD2 ({oneFile.Length:N0} bytes) " +
                         $"{one.Cpu.TotalSeconds:F2} s");
        Assert.Equal(HttpStatusCode.Redirect, one.Response.StatusCode);
        var thousandFile = XfdListingXlsx(tag + "c", 1000);
        var thousand = await CpuOfAsync(() => ImportListingsAsync(seller, "xfd-1000.xlsx", thousandFile));
        output.WriteLine($"listing import: 1,000 rows A1:XFD1001 ({thousandFile.Length:N0} bytes) {thousand.Cpu.TotalSeconds:F2} s CPU");
        Assert.Equal(HttpStatusCode.Redirect, thousand.Response.StatusCode);
        var (_, list) = await seller.GetPageAsync(thousand.Response.Headers.Location!.OriginalString);
        Assert.Contains("Đã nhập 1000 sản phẩm: 1000 mới", list.QuerySelector(".flash")?.TextContent ?? list.Body!.TextContent);
        Assert.Equal(1000, await fixture.ScalarAsync("SELECT count(*) FROM products WHERE name LIKE @name", new { name = $"Chè {tag}c lô %" }));
        // Before: 2.3 s for the one row, more than 15 minutes for the thousand.
        Assert.True(one.Cpu < plain.Cpu + TimeSpan.FromSeconds(1), $"one XFD row cost {one.Cpu} of CPU, the plain row {plain.Cpu}");
        Assert.True(thousand.Cpu < TimeSpan.FromSeconds(20), $"a thousand XFD rows cost {thousand.Cpu} of CPU");

        // The COD statement page reads spreadsheets with the same reader.
        using var admin = await fixture.SignedInAsync("0900000001");
        var lines = Enumerable.Range(1, 1000).Select(i => new string?[]
            { $"{tag}{i:D5}", "", "100000", "30000", "0", "0", "Đã giao", "05/11/2026", "12/11/2026" });
        var statement = Xlsx([Cho40.Db.CodStatementFormats.CanonicalHeaders, .. lines], "A1:XFD1001");
        var cod = await CpuOfAsync(() => UploadStatementAsync(admin, "bang-ke-xfd.xlsx", statement));
        output.WriteLine($"COD statement: 1,000 lines A1:XFD1001 ({statement.Length:N0} bytes) {cod.Cpu.TotalSeconds:F2} s CPU");
        Assert.Equal(HttpStatusCode.Redirect, cod.Response.StatusCode);
        Assert.Equal(1000, await fixture.ScalarAsync("SELECT count(*) FROM cod_statement_lines WHERE tracking_code LIKE @t", new { t = tag + "%" }));
        Assert.True(cod.Cpu < TimeSpan.FromSeconds(20), $"a thousand XFD lines cost {cod.Cpu} of CPU");
    }

    [Fact]
    public async Task A_shared_strings_bomb_writes_no_more_than_the_upload_itself_to_the_temporary_folder()
    {
        var bomb = SharedStringsBomb(count: 5_000_000, length: 100);
        using var seller = await fixture.SignedInAsync(CatalogTestKit.LaBangPhone);
        var (_, page) = await seller.GetPageAsync("/Seller/Catalog/Import");
        var writtenBefore = ProcessFigures.BytesWritten(Pid);
        var cpuBefore = ProcessFigures.CpuTime(Pid);
        var (response, peak) = await ProcessFigures.PeakDuringAsync(() => ProcessFigures.FolderBytes(fixture.TempFolder), async () =>
        {
            var answer = await CatalogTestKit.PostMultipartAsync(seller, page, "main form.form", new Dictionary<string, string>(),
                ("file", "bom.xlsx", XlsxType, bomb));
            await answer.Content.LoadIntoBufferAsync();
            return answer;
        });
        var written = ProcessFigures.BytesWritten(Pid) - writtenBefore;
        var cpu = ProcessFigures.CpuTime(Pid) - cpuBefore;
        var left = ProcessFigures.FolderBytes(fixture.TempFolder);
        output.WriteLine($"shared-strings bomb of {bomb.Length:N0} bytes (5,000,000 strings of 100 characters): " +
                         $"TMPDIR peak {peak:N0} bytes, left {left:N0}; bytes written by the process {written:N0}; CPU {cpu.TotalSeconds:F2} s; " +
                         $"answer {(int)response.StatusCode}");

        // The upload itself is buffered to TMPDIR by ASP.NET Core's form reader while the request lasts; nothing more.
        Assert.True(peak <= bomb.Length + 1024 * 1024, $"TMPDIR reached {peak:N0} bytes for an upload of {bomb.Length:N0}");
        Assert.True(written < bomb.Length + 32 * 1024 * 1024, $"the process wrote {written:N0} bytes");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        // Refused by the declared size of the shared-strings part (585 MB unpacked) before a byte of it is inflated; a
        // smaller table of too many entries is refused by their count (SpreadsheetReaderTests).
        var text = (await PageClient.ParseAsync(response)).QuerySelector(".error-table")!.TextContent;
        Assert.Contains("Tệp Excel khi giải nén lớn hơn 64 MB", text);
    }

    [Fact]
    public async Task A_ten_million_line_cod_csv_stops_at_the_line_cap_without_growing_memory()
    {
        var csv = TenMillionLineCsv();
        using var admin = await fixture.SignedInAsync("0900000001");
        var (_, page) = await admin.GetPageAsync("/Admin/Cod");
        var before = ProcessFigures.Rss(Pid);
        var cpuBefore = ProcessFigures.CpuTime(Pid);
        var (response, peak) = await ProcessFigures.PeakDuringAsync(() => ProcessFigures.Rss(Pid), async () =>
        {
            var answer = await CatalogTestKit.PostMultipartAsync(admin, page, "form.cod-upload",
                new Dictionary<string, string> { ["Input.Carrier"] = "GHN" }, ("Input.File", "bang-ke.csv", "text/csv", csv));
            await answer.Content.LoadIntoBufferAsync();
            return answer;
        });
        var cpu = ProcessFigures.CpuTime(Pid) - cpuBefore;
        var html = await response.Content.ReadAsStringAsync();
        output.WriteLine($"10,000,000-line CSV ({csv.Length:N0} bytes): RSS {before / 1048576} MB → peak {peak / 1048576} MB " +
                         $"(+{(peak - before) / 1048576} MB); CPU {cpu.TotalSeconds:F2} s; answer {(int)response.StatusCode}, {html.Length:N0} characters");

        Assert.Contains("hơn 200.000 dòng", html);
        Assert.True(peak - before < 250L * 1024 * 1024, $"RSS grew by {(peak - before) / 1048576} MB");
        Assert.Equal(0, await fixture.ScalarAsync("SELECT count(*) FROM cod_statements WHERE file_name = 'bang-ke.csv' AND line_count > 100000"));
    }
}
