using System.Diagnostics;
using System.Net;
using Cho40.Tests.Infrastructure;
using static Cho40.Tests.Stalls.StallTestData;

namespace Cho40.Tests.Stalls;

public sealed class ChargeTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;

    [Fact]
    public async Task A_stallholder_charges_an_exact_amount_the_QR_decodes_to_the_stored_payload_and_a_transfer_pays_it()
    {
        var (stallId, _, account) = await NewStallAsync(App);
        using var client = App.NewClient();
        await client.SignInAsync("0900000004");
        var typed = await client.SubmitFormAsync($"/Stall/{stallId}/Charge", "form.charge-form", new Dictionary<string, string> { ["Amount"] = "86.000" });
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        // The amount is read back in words before any QR exists; confirming makes the request.
        var created = await client.SubmitFormAsync(typed.Headers.Location!.OriginalString, "#charge-confirm form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var url = created.Headers.Location!.OriginalString;
        var requestId = long.Parse(url[(url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var (reference, payload) = (await ScalarAsync<string>(App, "SELECT reference FROM payment_requests WHERE id = @requestId", new { requestId }),
            await ScalarAsync<string>(App, "SELECT payload FROM payment_requests WHERE id = @requestId", new { requestId }));
        Assert.Contains("C40 " + reference, payload);
        Assert.Contains("540586000", payload); // field 54, 5 digits, whole VND

        var png = await client.Http.GetByteArrayAsync($"/Stall/{stallId}/Charge/{requestId}?handler=Png");
        var file = Path.Combine(Path.GetTempPath(), $"charge-{requestId}-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(file, png);
        using var zbar = Process.Start(new ProcessStartInfo("zbarimg", ["--raw", "-q", "-Sbinary", file]) { RedirectStandardOutput = true })!;
        var decoded = await zbar.StandardOutput.ReadToEndAsync();
        await zbar.WaitForExitAsync();
        File.Delete(file);
        Assert.Equal(payload, decoded.TrimEnd('\n'));

        var (_, waiting) = await client.GetPageAsync(url);
        Assert.Contains("Đang chờ", waiting.QuerySelector("#charge-status")!.TextContent);
        using var webhook = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await webhook.SendAsync(SignedDelivery(App, "sepay", NewTransactionId(), account, 86000,
            $"MBVCB.2.C40{reference}.CT tu"))).StatusCode);
        var (_, paid) = await client.GetPageAsync(url);
        Assert.Equal("ĐÃ NHẬN ĐỦ TIỀN", paid.QuerySelector("#charge-status")!.TextContent.Trim());

        // Another person cannot see the request or its QR.
        using var other = App.NewClient();
        await other.SignInAsync("0900000006");
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/Stall/{stallId}/Charge/{requestId}?handler=Png")).StatusCode);
    }
}
