using System.Net;
using System.Text.Json;
using Cho40.Db.Domain;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Payments.VietQr;

namespace Cho40.Tests.Payments;

/// <summary>
/// VietQR for every account kind real codes carry: payOS virtual accounts (VQRQ…, mixed case), banks' virtual accounts,
/// MoMo wallets under BVBank's BIN (99MM…, and PSP… which needs MoMo's MOMOW2W… reference in 62.05), amounts of up to
/// the format's 13 digits — each encoded, drawn, read back by zbarimg (an independent decoder) and parsed.
/// </summary>
public sealed class VietQrAccountKindTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    public static TheoryData<string, string, long?, string?> Accounts => new()
    {
        { "970418", "VQRQ00031obce", 86_000, null },                     // payOS virtual account (its sample)
        { "970436", "VCB0011ABC004", null, null },                       // a bank's virtual account (SePay's sample sub_account)
        { "970454", "99MM24011M34875080", 150_000, "MOMOW2W20240101" },  // MoMo wallet under BVBank, with MoMo's reference
        { "970454", "PSP0912345678", null, "MOMOW2W0912345678" },        // a newer MoMo account: the reference is required
        { "970436", "0011001234567", 9_999_999_999_999, null },          // 13 digits: the largest amount the format holds
    };

    [Theory]
    [MemberData(nameof(Accounts))]
    public async Task Codes_for_alphanumeric_and_wallet_accounts_are_read_back_by_zbarimg_as_written(string bin, string account, long? amount, string? reference)
    {
        var payload = VietQrPayload.Build(new VietQrRequest(bin, account, VietQrService.Account, amount, amount is null ? null : "Cho40 DH7KQ3XM",
            Reference: reference));
        var decoded = await QrTools.DecodePngAsync(VietQrImage.PngWithin(payload, 512));
        Assert.Equal(payload, decoded);
        var parsed = VietQrPayload.Parse(decoded).Value!;
        Assert.Equal((bin, account, amount, reference), (parsed.Bin, parsed.AccountNumber, parsed.AmountVnd, parsed.Reference));
    }

    [Fact]
    public void A_PSP_MoMo_account_without_MoMos_reference_is_refused_naming_the_reference()
    {
        var e = Assert.Throws<VietQrException>(() => VietQrPayload.Build(new VietQrRequest("970454", "PSP0912345678")));
        Assert.Equal("reference", e.Field);
        Assert.Contains("MOMOW2W", e.Message, StringComparison.Ordinal);
        // Under another bank's BIN "PSP…" is just an account number.
        Assert.NotNull(VietQrPayload.Build(new VietQrRequest("970436", "PSP0912345678")));
    }

    [Fact]
    public async Task The_public_API_encodes_a_MoMo_wallet_with_its_reference_and_its_PNG_decodes()
    {
        using var http = fixture.App.CreateClient();
        const string query = "bin=970454&account=99MM24011M34875080&reference=MOMOW2W20240101&amount=150000";
        using var json = JsonDocument.Parse(await http.GetStringAsync("/api/vietqr?" + query));
        var payload = json.RootElement.GetProperty("payload").GetString()!;
        Assert.Contains("0515MOMOW2W20240101", payload, StringComparison.Ordinal); // 62.05, length 15
        Assert.Equal("BVBank", json.RootElement.GetProperty("bank").GetProperty("shortName").GetString());
        Assert.Equal(payload, await QrTools.DecodePngAsync(await http.GetByteArrayAsync("/api/vietqr.png?" + query)));

        var refused = await http.GetAsync("/api/vietqr?bin=970454&account=PSP0912345678");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("MOMOW2W", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("VQRQ00031ob_e", "8600", "38.01.01")]       // a character an account never has
    [InlineData("VQRQ00031obce", "86000000000000", "54")]   // 14 digits: more than the format holds
    public void The_parser_still_names_the_exact_fault(string account, string amount, string field)
    {
        var beneficiary = "0006970418" + "01" + account.Length.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + account;
        var merchant = "0010A000000727" + "01" + beneficiary.Length.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + beneficiary
            + "0208QRIBFTTA";
        var withoutCrc = "000201010212" + "38" + merchant.Length.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + merchant
            + "5303704" + "54" + amount.Length.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + amount + "5802VN" + "6304";
        var payload = withoutCrc + VietQrPayload.Crc16(withoutCrc).ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        var result = VietQrPayload.Parse(payload);
        Assert.False(result.IsValid);
        Assert.Equal(field, result.ErrorField);
    }
}
