using System.Text;
using Cho40.Web.Payments.VietQr;
using Cho40.Db.Domain;

namespace Cho40.Tests.Payments;

/// <summary>
/// The encoder and parser against payloads published by independent implementations (cited per case) and against
/// the NAPAS rules. Expected strings are copied verbatim from those sources, never produced by our own code.
/// </summary>
public sealed class VietQrPayloadTests
{
    public static TheoryData<string, string, long?, string?, string> PublishedPayloads => new()
    {
        // github.com/subiz/vietqr vietqr_test.go (TestQR, static case)
        { "970423", "0099999999", null, null,
          "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4" },
        // github.com/subiz/vietqr vietqr_test.go (TestQR, dynamic with a note)
        { "970422", "0023457923442", 40123, "test text string",
          "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62200816test text string6304D9C6" },
        // github.com/subiz/vietqr vietqr_test.go (TestQR, Vietnamese note folded to ASCII)
        { "970422", "0023457923442", 40123, "chuyển khoản",
          "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62160812chuyen khoan6304722F" },
        // github.com/subiz/vietqr README.md (120.000 đ to VietinBank 0011001932418, "ủng hộ lũ lụt")
        { "970415", "0011001932418", 120000, "ủng hộ lũ lụt",
          "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C" },
        // github.com/xuannghia/vietnam-qr-pay README.md ("VietQR Tĩnh", ACB)
        { "970416", "257678859", null, null,
          "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F" },
        // github.com/xuannghia/vietnam-qr-pay README.md ("VietQR Động")
        { "970416", "257678859", 10000, "Chuyen tien",
          "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA53037045405100005802VN62150811Chuyen tien630453E6" },
        // github.com/xuannghia/vietnam-qr-pay README.md ("build() method": amount 999999, "Cam on nhe")
        { "970416", "257678859", 999999, "Cam on nhe",
          "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA530370454069999995802VN62140810Cam on nhe6304E786" },
    };

    [Theory]
    [MemberData(nameof(PublishedPayloads))]
    public void Build_writes_exactly_the_published_payload(string bin, string account, long? amount, string? purpose, string expected)
    {
        Assert.Equal(expected, VietQrPayload.Build(new VietQrRequest(bin, account, AmountVnd: amount, Purpose: purpose)));
    }

    [Theory]
    [MemberData(nameof(PublishedPayloads))]
    public void Parse_reads_back_the_published_payload(string bin, string account, long? amount, string? purpose, string payload)
    {
        var result = VietQrPayload.Parse(payload);
        Assert.Null(result.Error);
        var v = Assert.IsType<VietQrParsed>(result.Value);
        Assert.Equal(bin, v.Bin);
        Assert.Equal(account, v.AccountNumber);
        Assert.Equal(amount, v.AmountVnd);
        Assert.Equal(amount is not null, v.IsDynamic);
        Assert.Equal(purpose is null ? null : Cho40.Db.Domain.Slug.ToAscii(purpose), v.Purpose);
        Assert.Equal(VietQrService.Account, v.Service);
        Assert.Equal(payload[^4..], v.Crc);
        Assert.Equal("704", v.Currency);
        Assert.Equal("VN", v.Country);
    }

    [Fact]
    public void Decomposed_Vietnamese_gives_the_same_payload_as_precomposed()
    {
        var precomposed = "chuyển khoản";
        var decomposed = precomposed.Normalize(NormalizationForm.FormD);
        Assert.NotEqual(precomposed, decomposed);
        var expected = "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62160812chuyen khoan6304722F";
        Assert.Equal(expected, VietQrPayload.Build(new VietQrRequest("970422", "0023457923442", AmountVnd: 40123, Purpose: decomposed)));
        // đ/Đ have no decomposition: they are folded explicitly.
        var p = VietQrPayload.Parse(VietQrPayload.Build(new VietQrRequest("970436", "0011001234567", AmountVnd: 50000,
            Purpose: "Đặc sản Đồng Hỷ".Normalize(NormalizationForm.FormD))));
        Assert.Equal("Dac san Dong Hy", p.Value!.Purpose);
    }

    [Fact]
    public void Bill_reference_and_purpose_sit_in_field_62_in_id_order()
    {
        // Order and layout as in a public VietQR formatter test (code index file 63185144907: 0107NPS6869 then 0819…).
        var payload = VietQrPayload.Build(new VietQrRequest("970403", "0011012345678", AmountVnd: 180000,
            Purpose: "thanh toan don hang", BillNumber: "NPS6869"));
        Assert.StartsWith("00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang6304", payload);
        var withReference = VietQrPayload.Build(new VietQrRequest("970403", "0011012345678", AmountVnd: 180000,
            Purpose: "C40 7KQ3XM", BillNumber: "HD01", Reference: "R123"));
        Assert.Contains("62300104HD010504R1230810C40 7KQ3XM6304", withReference);
        var parsed = VietQrPayload.Parse(withReference).Value!;
        Assert.Equal(("HD01", "R123", "C40 7KQ3XM"), (parsed.BillNumber, parsed.Reference, parsed.Purpose));
    }

    [Fact]
    public void Card_service_writes_QRIBFTTC_beside_the_beneficiary_block()
    {
        var payload = VietQrPayload.Build(new VietQrRequest("970436", "9704366800123456789", VietQrService.Card));
        Assert.Contains("38630010A00000072701330006970436011997043668001234567890208QRIBFTTC", payload);
        var parsed = VietQrPayload.Parse(payload).Value!;
        Assert.Equal(VietQrService.Card, parsed.Service);
        Assert.Equal("9704366800123456789", parsed.AccountNumber);
        Assert.False(parsed.IsDynamic);
    }

    public static TheoryData<string, string, string?, string, string?> RealCodes => new()
    {
        // Static codes as printed by bank apps, quoted in public decoders found through the code index (lowercase CRC, extra
        // EMVCo fields 52/59/60, MoMo's alphanumeric wallet account and unreserved field 80 from xuannghia/vietnam-qr-pay README.md,
        // and a payOS dynamic code with a virtual account).
        { "00020101021138540010A00000072701240006970422011009119673630208QRIBFTTA53037045802VN63046ad9", "970422", null, "0911967363", null },
        { "00020101021138570010A00000072701270006970405011322082054793800208QRIBFTTA53037045802VN630497A6", "970405", null, "2208205479380", null },
        { "00020101021138540010A00000072701240006970407011014137171110208QRIBFTTA5204601153037045802VN5903TCB6005Hanoi6304bb7d", "970407", null, "1413717111", null },
        { "00020101021138620010A00000072701320006970454011899MM24011M348750800208QRIBFTTA53037045802VN62190515MOMOW2W3487508080030466304EBC8", "970454", null, "99MM24011M34875080", null },
        { "00020101021238570010A000000727012700069704220113VQRQABRLS04480208QRIBFTTA5303704540420005802VN6224082018f8746b181045f0a2ce63040FC0", "970422", "2000", "VQRQABRLS0448", "18f8746b181045f0a2ce" },
        // xuannghia/vietnam-qr-pay README.md ("Decode mã QR": amount 1000)
        { "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB8", "970416", "1000", "257678859", "Chuyen tien" },
    };

    [Theory]
    [MemberData(nameof(RealCodes))]
    public void Parse_accepts_real_codes_from_banks_and_wallets(string payload, string bin, string? amount, string account, string? purpose)
    {
        var result = VietQrPayload.Parse(payload);
        Assert.True(result.Value is not null, result.Error);
        Assert.Equal(bin, result.Value!.Bin);
        Assert.Equal(account, result.Value.AccountNumber);
        Assert.Equal(amount is null ? null : long.Parse(amount), result.Value.AmountVnd);
        Assert.Equal(purpose, result.Value.Purpose);
        Assert.Equal(payload[^4..].ToUpperInvariant(), result.Value.Crc);
    }

    [Fact]
    public void Many_banks_amounts_and_purposes_round_trip()
    {
        var banks = new Cho40.Db.Banks(Path.Combine(AppContext.BaseDirectory, "data", "vn-banks.csv"));
        var purposes = new[] { null, "", "Mua rau", "Thanh toán sạp A01", "Trà Tân Cương 500g", "Đường Phổ Yên", "C40 7KQ3XM",
            "Bún chả – quầy Ngọc".Normalize(NormalizationForm.FormD), "“Rau” sạch…", "1234567890123456789012345" };
        long?[] amounts = [null, 1, 200, 1000, 200000, 1_500_000, 499_999_999];
        var n = 0;
        foreach (var bank in banks.All)
        foreach (var amount in amounts)
        {
            var purpose = purposes[n++ % purposes.Length];
            var account = (1000000L + n * 7919L).ToString() + bank.Bin[3..];
            var payload = VietQrPayload.Build(new VietQrRequest(bank.Bin, account, AmountVnd: amount, Purpose: purpose));
            var parsed = VietQrPayload.Parse(payload);
            Assert.True(parsed.Value is not null, $"{payload}: {parsed.Error}");
            Assert.Equal(bank.Bin, parsed.Value!.Bin);
            Assert.Equal(account, parsed.Value.AccountNumber);
            Assert.Equal(amount, parsed.Value.AmountVnd);
            Assert.Equal(amount is not null, parsed.Value.IsDynamic);
            Assert.Equal(string.IsNullOrEmpty(purpose) ? null : Cho40.Db.Domain.Slug.ToAscii(purpose).Replace("–", "-").Replace("“", "\"").Replace("”", "\"").Replace("…", "..."), parsed.Value.Purpose);
            Assert.All(payload, c => Assert.InRange(c, ' ', '~'));
            Assert.Matches("^[0-9A-F]{4}$", payload[^4..]);
        }
        Assert.True(n > 300);
    }

    [Fact]
    public void Amounts_are_written_with_the_invariant_culture_whatever_the_thread_culture()
    {
        var before = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("vi-VN");
            Assert.Contains("540810000000", VietQrPayload.Build(new VietQrRequest("970436", "0011001234567", AmountVnd: 10_000_000)));
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = before; }
    }

    [Theory]
    [InlineData("97043", "0011001234567", null, null, "bin")]        // 5-digit BIN
    [InlineData("9704366", "0011001234567", null, null, "bin")]
    [InlineData("97043A", "0011001234567", null, null, "bin")]
    [InlineData("", "0011001234567", null, null, "bin")]
    [InlineData("970436", "", null, null, "account")]
    [InlineData("970436", "00110012345678901234", null, null, "account")] // 20 digits
    [InlineData("970436", "0011-001", null, null, "account")]
    [InlineData("970436", "VQRQ_0031", null, null, "account")] // letters and digits only
    [InlineData("970436", "0011001234567", 0L, null, "amount")]
    [InlineData("970436", "0011001234567", -5L, null, "amount")]
    [InlineData("970436", "0011001234567", 10_000_000_000_000L, null, "amount")] // 14 digits: the format holds 13
    [InlineData("970436", "0011001234567", 100L, "12345678901234567890123456", "purpose")] // 26 characters
    [InlineData("970436", "0011001234567", 100L, "Thanh toán 🍜", "purpose")]
    [InlineData("970436", "0011001234567", 100L, "付款", "purpose")]
    public void Build_rejects_invalid_input_naming_the_field(string bin, string account, long? amount, string? purpose, string field)
    {
        var e = Assert.Throws<VietQrException>(() => VietQrPayload.Build(new VietQrRequest(bin, account, AmountVnd: amount, Purpose: purpose)));
        Assert.Equal(field, e.Field);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Limits_are_inclusive_where_the_rules_allow()
    {
        var max = VietQrPayload.Build(new VietQrRequest("970436", "1234567890123456789", AmountVnd: 9_999_999_999_999,
            Purpose: "Trả tiền hàng tháng 12345", BillNumber: "B234567890123456789012345", Reference: "R234567890123456789012345"));
        var parsed = VietQrPayload.Parse(max).Value!;
        // 13 digits: banks' own per-transfer limits are warned about on the screens, not refused by the codec.
        Assert.Equal(9_999_999_999_999, parsed.AmountVnd);
        Assert.Equal("1234567890123456789", parsed.AccountNumber);
        Assert.Equal(25, parsed.Purpose!.Length);
        Assert.Contains("6287", max); // 3 × (4 + 25) = 87 ≤ 99
        // Whitespace inside the account number is what people type; it is dropped.
        Assert.Equal(VietQrPayload.Build(new VietQrRequest("970436", "0011001234567")),
            VietQrPayload.Build(new VietQrRequest("970436", " 0011 0012 34567 ")));
        // A purpose that folds to ≤ 25 ASCII characters is fine even when the Vietnamese text is longer in UTF-16 (decomposed).
        Assert.Contains("0825Thanh toan tien rau muong",
            VietQrPayload.Build(new VietQrRequest("970436", "1", AmountVnd: 1, Purpose: "Thanh toán tiền rau muống".Normalize(NormalizationForm.FormD))));
    }

    private const string Good = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C";

    private static string WithCrc(string body) => body + "6304" + VietQrPayload.Crc16(body + "6304").ToString("X4");
    private static string Body(string payload) => payload[..^8];

    [Fact]
    public void Crc_is_CRC16_CCITT_FALSE() =>
        Assert.Equal(0x29B1, VietQrPayload.Crc16("123456789")); // the catalogue check value of CRC-16/CCITT-FALSE

    [Fact]
    public void Lowercase_crc_is_accepted() =>
        Assert.NotNull(VietQrPayload.Parse(Good[..^4] + Good[^4..].ToLowerInvariant()).Value);

    public static TheoryData<string, string, string> Tampered => new()
    {
        { Good.Replace("0011001932418", "0011001932419"), "63", "Sai mã kiểm tra CRC" },           // one digit of the account
        { Good.Replace("5406120000", "5406920000"), "63", "Sai mã kiểm tra CRC" },                 // 120.000 → 920.000
        { Good[..^1] + "D", "63", "Sai mã kiểm tra CRC" },
        { WithCrc(Body(Good).Replace("01270006970415", "01260006970415")), "38.01", "Độ dài trường 38.01 không đúng" },
        { WithCrc(Body(Good).Replace("0113001100193", "0112001100193")), "38.01", "Độ dài trường 38.01 không đúng" },
        { WithCrc(Body(Good).Replace("0010A000000727", "0010A000000728")), "38.00", "GUID" },
        { WithCrc(Body(Good).Replace("38570010A00000072701270006970415", "38560010A0000007270126000597041")), "38.01.00", "6 chữ số" }, // 5-digit BIN
        { WithCrc(Body(Good).Replace("5303704", "5303840")), "53", "704" },                       // US dollars
        { WithCrc(Body(Good).Replace("5802VN", "5802TH")), "58", "VN" },
        { WithCrc(Body(Good).Replace("0208QRIBFTTA", "0208QRIBFTTX")), "38.02", "QRIBFTTA" },
        { WithCrc(Body(Good).Replace("5406120000", "54081200.000")), "54", "Số tiền" },
        { WithCrc(Body(Good).Replace("62170813ung", "62180813ung")), "62", "Độ dài trường 62 không đúng" },
        { WithCrc(Body(Good).Replace("010212", "010213")), "01", "11" },
        { WithCrc(Body(Good).Replace("000201", "000202")), "00", "01" },
        { WithCrc(Body(Good).Replace("5802VN", "5802VN5802VN")), "58", "nhiều lần" },
        { Good[6..], "00", "Trường 00" },
        { WithCrc(Body(Good)) + "9902AB", "63", "cuối" },
        { "", "payload", "trống" },
        { "xin chào", "payload", "ký tự" },
        { "https://example.com/pay", "payload", "cấu trúc" },
        { Good[..40], "38", "Độ dài trường 38 không đúng" },
    };

    [Theory]
    [MemberData(nameof(Tampered))]
    public void Parse_says_exactly_what_is_wrong(string payload, string field, string messagePart)
    {
        var result = VietQrPayload.Parse(payload);
        Assert.Null(result.Value);
        Assert.Equal(field, result.ErrorField);
        Assert.Contains(messagePart, result.Error);
    }

    [Fact]
    public void Parse_never_throws_on_garbage()
    {
        var random = new Random(42);
        for (var i = 0; i < 3000; i++)
        {
            var chars = Good.ToCharArray();
            for (var k = random.Next(1, 4); k > 0; k--) chars[random.Next(chars.Length)] = (char)random.Next(0x20, 0x7F);
            var text = new string(chars)[..random.Next(0, chars.Length + 1)];
            var result = VietQrPayload.Parse(text);
            Assert.True(result.Value is not null ^ result.Error is not null);
        }
        Assert.NotNull(VietQrPayload.Parse(null!).Error);
    }
}
