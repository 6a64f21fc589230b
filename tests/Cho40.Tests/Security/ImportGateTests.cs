using System.Net;
using Cho40.Tests.Catalog;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Cho40.Tests.Security.UploadAttackFiles;

namespace Cho40.Tests.Security;

/// <summary>
/// Spreadsheet imports are admitted one per user and two in all (the listing import and the COD statement upload share
/// the gate); anyone beyond is told at once, in Vietnamese, to try again — nothing is read, nothing stored. Imports "in
/// progress" are held through the app's own <see cref="ImportGate"/>, so the test does not depend on timing.
/// </summary>
public sealed class ImportGateTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private Cho40App App => fixture.App;
    private ImportGate Gate => App.Services.GetRequiredService<ImportGate>();

    private async Task<PageClient> SignedInAsync(string phone)
    {
        var client = App.NewClient();
        await client.SignInAsync(phone);
        return client;
    }

    private Task<long> UserIdAsync(string phone) => CatalogTestKit.ScalarAsync<long>(App, "SELECT id FROM users WHERE phone = @phone", new { phone });

    private static Task<HttpResponseMessage> ImportListingsAsync(PageClient seller, byte[] bytes) =>
        CatalogTestKit.PostMultipartAsync(seller, "/Seller/Catalog/Import", "main form.form", new Dictionary<string, string>(),
            ("file", "san-pham.xlsx", XlsxType, bytes));

    private static Task<HttpResponseMessage> UploadStatementAsync(PageClient admin, byte[] bytes) =>
        CatalogTestKit.PostMultipartAsync(admin, "/Admin/Cod", "form.cod-upload", new Dictionary<string, string> { ["Input.Carrier"] = "GHN" },
            ("Input.File", "bang-ke.csv", "text/csv", bytes));

    private static async Task AssertBusyAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{what}: {(int)response.StatusCode}");
        Assert.True(response.Headers.RetryAfter is not null, $"{what}: no Retry-After");
        var page = await PageClient.ParseAsync(response);
        Assert.Contains("Đang có tệp khác được nhập. Vui lòng đợi tệp đó xong rồi thử lại sau ít phút.", page.Body!.TextContent);
    }

    private static byte[] Statement(string tracking) =>
        Settlement.SettlementData.Csv(Settlement.SettlementData.CanonicalHeader, $"{tracking},,100000,30000,0,0,Đã giao,05/11/2026,");

    [Fact]
    public async Task A_second_import_by_the_same_seller_is_refused_while_the_first_runs()
    {
        using var seller = await SellerAsync();
        var tag = "Gate" + Guid.NewGuid().ToString("N")[..6];
        using (var running = Gate.TryEnter(await UserIdAsync(CatalogTestKit.LaBangPhone), CancellationToken.None))
        {
            Assert.NotNull(running);
            await AssertBusyAsync(await ImportListingsAsync(seller, XfdListingXlsx(tag, 3, claimXfd: false)), "same seller");
            Assert.Equal(0L, await CatalogTestKit.ScalarAsync<long>(App, "SELECT count(*) FROM products WHERE name LIKE @n", new { n = $"Chè {tag} %" }));

            // Another seller is not held up by it.
            using var other = await SignedInAsync(CatalogTestKit.TanCuongPhone);
            Assert.Equal(HttpStatusCode.Redirect, (await ImportListingsAsync(other, XfdListingXlsx(tag + "b", 1, claimXfd: false))).StatusCode);
        }
        // The first import over, the seller's next one goes through.
        Assert.Equal(HttpStatusCode.Redirect, (await ImportListingsAsync(seller, XfdListingXlsx(tag, 3, claimXfd: false))).StatusCode);
        Assert.Equal(3L, await CatalogTestKit.ScalarAsync<long>(App, "SELECT count(*) FROM products WHERE name LIKE @n", new { n = $"Chè {tag} %" }));
    }

    [Fact]
    public async Task Two_imports_in_all_then_everyone_is_told_to_try_again_on_both_pages()
    {
        using var admin = await SignedInAsync("0900000001");
        using var seller = await SellerAsync();
        var tracking = "GATE" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        // Two imports of other people in progress (the gate counts users by id: these two are nobody here).
        using (var first = Gate.TryEnter(-1, CancellationToken.None))
        using (var second = Gate.TryEnter(-2, CancellationToken.None))
        {
            Assert.NotNull(first);
            Assert.NotNull(second);
            Assert.Null(Gate.TryEnter(-3, CancellationToken.None));
            await AssertBusyAsync(await UploadStatementAsync(admin, Statement(tracking)), "COD statement");
            await AssertBusyAsync(await ImportListingsAsync(seller, XfdListingXlsx("Gate2", 1, claimXfd: false)), "listing import");
            Assert.Equal(0L, await CatalogTestKit.ScalarAsync<long>(App, "SELECT count(*) FROM cod_statement_lines WHERE tracking_code = @tracking", new { tracking }));
        }
        var accepted = await UploadStatementAsync(admin, Statement(tracking));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        Assert.Equal(1L, await CatalogTestKit.ScalarAsync<long>(App, "SELECT count(*) FROM cod_statement_lines WHERE tracking_code = @tracking", new { tracking }));
    }

    private Task<PageClient> SellerAsync() => SignedInAsync(CatalogTestKit.LaBangPhone);
}
