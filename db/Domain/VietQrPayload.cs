using System.Globalization;
using System.Text;
namespace Cho40.Db.Domain;

/// <summary>NAPAS 38.02 service code: fast transfer to an account (QRIBFTTA) or to a card (QRIBFTTC).</summary>
public enum VietQrService { Account, Card }

/// <summary>What a VietQR code should say. No amount = a static (reusable) code; an amount = a dynamic one.</summary>
public sealed record VietQrRequest(string Bin, string AccountNumber, VietQrService Service = VietQrService.Account,
    long? AmountVnd = null, string? Purpose = null, string? BillNumber = null, string? Reference = null);

/// <summary>An input that cannot become a valid VietQR code. <see cref="Field"/> names the input
/// (bin, account, service, amount, purpose, bill, reference); the message is Vietnamese and names the rule.</summary>
public sealed class VietQrException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>A decoded VietQR code. <see cref="Crc"/> is the checksum as 4 uppercase hex digits.</summary>
public sealed record VietQrParsed(bool IsDynamic, string Bin, string AccountNumber, VietQrService Service, long? AmountVnd,
    string? Purpose, string? BillNumber, string? Reference, string Crc, string Currency, string Country);

/// <summary>Either <see cref="Value"/>, or the field id (e.g. "63", "38.01") and a Vietnamese reason.</summary>
public sealed record VietQrParseResult(VietQrParsed? Value, string? ErrorField, string? Error)
{
    public bool IsValid => Value is not null;
}

/// <summary>
/// The VietQR payload (NAPAS IBFT over EMVCo merchant-presented QR): one encoder and one strict parser.
/// Every field is ID(2) LEN(2) VALUE; 00 first, 63 (CRC-16/CCITT-FALSE over everything through "6304") last.
/// </summary>
public static class VietQrPayload
{
    public const string NapasGuid = "A000000727";
    public const string AccountServiceCode = "QRIBFTTA";
    public const string CardServiceCode = "QRIBFTTC";
    public const string CurrencyVnd = "704";
    public const string CountryVietnam = "VN";
    /// <summary>
    /// The largest amount the format holds: 13 digits. Banks set their own per-transfer limits for NAPAS 247 (some as low
    /// as 10,000,000 VND; same-bank transfers have none), so the codec does not refuse large amounts: screens warn above a
    /// configured limit (Cho40:Payments:TransferWarningVnd) instead.
    /// </summary>
    public const long MaxAmount = 9_999_999_999_999;
    public const int MaxAccountLength = 19;
    public const int MaxTextLength = 25;

    /// <summary>BVBank's BIN, under which MoMo wallets are reached (accounts 99MM…, and newer PSP… ones).</summary>
    public const string MoMoBin = "970454";

    /// <summary>
    /// A MoMo wallet account under BVBank: <c>99MM…</c>, or the newer <c>PSP…</c> accounts, which banks' apps refuse unless the
    /// code carries MoMo's reference (<c>MOMOW2W…</c>) in 62.05.
    /// </summary>
    public static bool IsMoMoWallet(string bin, string account) =>
        bin == MoMoBin && (account.StartsWith("99MM", StringComparison.OrdinalIgnoreCase) || account.StartsWith("PSP", StringComparison.OrdinalIgnoreCase));

    public static string Build(VietQrRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bin = (request.Bin ?? "").Trim();
        if (bin.Length != 6 || !bin.All(char.IsAsciiDigit))
            throw new VietQrException("bin", "Mã BIN ngân hàng phải gồm đúng 6 chữ số.");

        var account = RemoveWhitespace(request.AccountNumber ?? "");
        var what = request.Service == VietQrService.Card ? "Số thẻ" : "Số tài khoản";
        if (account.Length == 0)
            throw new VietQrException("account", $"{what} không được để trống.");
        // Virtual accounts (payOS VQRQ…, banks' VAs) and wallets (MoMo 99MM…) carry letters: kept as written, case included.
        if (!account.All(char.IsAsciiLetterOrDigit))
            throw new VietQrException("account", $"{what} chỉ được gồm chữ số và chữ cái không dấu.");
        if (account.Length > MaxAccountLength)
            throw new VietQrException("account", $"{what} dài tối đa {MaxAccountLength} ký tự.");

        if (!Enum.IsDefined(request.Service))
            throw new VietQrException("service", "Dịch vụ phải là chuyển đến tài khoản (account) hoặc đến thẻ (card).");

        if (request.AmountVnd is { } amount && (amount <= 0 || amount > MaxAmount))
            throw new VietQrException("amount", "Số tiền phải là số đồng nguyên lớn hơn 0, tối đa 13 chữ số.");

        var purpose = CleanText("purpose", "Nội dung chuyển khoản", request.Purpose);
        var bill = CleanText("bill", "Số hóa đơn", request.BillNumber);
        var reference = CleanText("reference", "Mã tham chiếu", request.Reference);
        if (bin == MoMoBin && account.StartsWith("PSP", StringComparison.OrdinalIgnoreCase)
            && (reference is null || !reference.StartsWith("MOMOW2W", StringComparison.OrdinalIgnoreCase)))
            throw new VietQrException("reference",
                "Tài khoản ví MoMo dạng PSP… cần mã tham chiếu MOMOW2W… của MoMo (trường 62.05); thiếu nó, ứng dụng ngân hàng từ chối mã.");

        var additional = new StringBuilder();
        if (bill is not null) Tlv(additional, "01", bill);
        if (reference is not null) Tlv(additional, "05", reference);
        if (purpose is not null) Tlv(additional, "08", purpose);
        if (additional.Length > 99)
            throw new VietQrException(purpose is not null ? "purpose" : "bill",
                "Thông tin bổ sung (nội dung, số hóa đơn, mã tham chiếu) quá dài: trường 62 tối đa 99 ký tự.");

        var beneficiary = new StringBuilder();
        Tlv(beneficiary, "00", bin);
        Tlv(beneficiary, "01", account);
        var merchant = new StringBuilder();
        Tlv(merchant, "00", NapasGuid);
        Tlv(merchant, "01", beneficiary.ToString());
        Tlv(merchant, "02", request.Service == VietQrService.Card ? CardServiceCode : AccountServiceCode);

        var payload = new StringBuilder(160);
        Tlv(payload, "00", "01");
        Tlv(payload, "01", request.AmountVnd is null ? "11" : "12");
        Tlv(payload, "38", merchant.ToString());
        Tlv(payload, "53", CurrencyVnd);
        if (request.AmountVnd is { } a) Tlv(payload, "54", a.ToString(CultureInfo.InvariantCulture));
        Tlv(payload, "58", CountryVietnam);
        if (additional.Length > 0) Tlv(payload, "62", additional.ToString());
        payload.Append("6304");
        payload.Append(Crc16(payload.ToString()).ToString("X4", CultureInfo.InvariantCulture));
        return payload.ToString();
    }

    /// <summary>Decodes and checks a payload; never throws on bad input — the result says what is wrong.</summary>
    public static VietQrParseResult Parse(string payload)
    {
        try
        {
            return ParseStrict(payload);
        }
        catch (FormatException e)
        {
            return Fail(e.Data["field"] as string ?? "payload", e.Message);
        }
    }

    /// <summary>CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor) over ASCII text.</summary>
    public static ushort Crc16(string text)
    {
        ushort crc = 0xFFFF;
        foreach (var c in text)
        {
            crc ^= (ushort)((byte)c << 8);
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
        }
        return crc;
    }

    private static VietQrParseResult ParseStrict(string? payload)
    {
        var text = payload?.Trim() ?? "";
        if (text.Length == 0) return Fail("payload", "Mã QR trống.");
        if (!text.All(IsPrintableAscii))
            return Fail("payload", "Mã QR chứa ký tự không hợp lệ (chỉ được có ký tự ASCII in được).");

        var fields = ReadFields(text, "");
        if (fields.Count == 0 || fields[0].Id != "00")
            return Fail("00", "Trường 00 (phiên bản) phải đứng đầu mã.");
        if (fields[0].Value != "01") return Fail("00", "Trường 00 (phiên bản) phải có giá trị 01.");
        var last = fields[^1];
        if (last.Id != "63") return Fail("63", "Trường 63 (mã kiểm tra CRC) phải đứng cuối mã.");
        if (last.Value.Length != 4 || !last.Value.All(char.IsAsciiHexDigit))
            return Fail("63", "Trường 63 (mã kiểm tra CRC) phải gồm 4 chữ số thập lục phân.");
        var expectedCrc = Crc16(text[..^4]).ToString("X4", CultureInfo.InvariantCulture);
        if (!string.Equals(last.Value, expectedCrc, StringComparison.OrdinalIgnoreCase))
            return Fail("63", "Sai mã kiểm tra CRC: mã QR đã bị sửa hoặc đọc sai.");

        var duplicate = fields.GroupBy(f => f.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) return Fail(duplicate.Key, $"Trường {duplicate.Key} xuất hiện nhiều lần.");
        var byId = fields.ToDictionary(f => f.Id, f => f.Value);

        var initiation = byId.GetValueOrDefault("01");
        if (initiation is not ("11" or "12"))
            return Fail("01", "Trường 01 phải là 11 (mã tĩnh) hoặc 12 (mã động).");

        if (!byId.TryGetValue("38", out var merchantText))
            return Fail("38", "Thiếu trường 38 (thông tin tài khoản nhận theo chuẩn NAPAS).");
        var merchant = ToMap(ReadFields(merchantText, "38"));
        if (merchant.GetValueOrDefault("00") != NapasGuid)
            return Fail("38.00", $"Mã định danh NAPAS (GUID) ở trường 38.00 phải là {NapasGuid}.");
        if (!merchant.TryGetValue("01", out var beneficiaryText))
            return Fail("38.01", "Thiếu trường 38.01 (ngân hàng và số tài khoản nhận).");
        var beneficiary = ToMap(ReadFields(beneficiaryText, "38.01"));
        var bin = beneficiary.GetValueOrDefault("00");
        if (bin is null || bin.Length != 6 || !bin.All(char.IsAsciiDigit))
            return Fail("38.01.00", "Mã BIN ngân hàng (trường 38.01.00) phải gồm đúng 6 chữ số.");
        var account = beneficiary.GetValueOrDefault("01");
        if (string.IsNullOrEmpty(account) || account.Length > MaxAccountLength || !account.All(char.IsAsciiLetterOrDigit))
            return Fail("38.01.01", $"Số tài khoản/số thẻ (trường 38.01.01) phải gồm 1–{MaxAccountLength} chữ số hoặc chữ cái.");
        VietQrService service;
        switch (merchant.GetValueOrDefault("02"))
        {
            case null or AccountServiceCode: service = VietQrService.Account; break;
            case CardServiceCode: service = VietQrService.Card; break;
            default: return Fail("38.02", $"Mã dịch vụ (trường 38.02) phải là {AccountServiceCode} hoặc {CardServiceCode}.");
        }

        var currency = byId.GetValueOrDefault("53");
        if (currency != CurrencyVnd) return Fail("53", "Trường 53 (tiền tệ) phải là 704 (đồng Việt Nam).");
        var country = byId.GetValueOrDefault("58");
        if (country != CountryVietnam) return Fail("58", "Trường 58 (quốc gia) phải là VN.");

        long? amount = null;
        if (byId.TryGetValue("54", out var amountText))
        {
            if (amountText.Length is < 1 or > 13 || !amountText.All(char.IsAsciiDigit) ||
                !long.TryParse(amountText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
                return Fail("54", "Số tiền (trường 54) phải là số đồng nguyên dương, 1–13 chữ số, không dấu phân cách.");
            amount = value;
        }

        string? purpose = null, bill = null, reference = null;
        if (byId.TryGetValue("62", out var additionalText))
        {
            var additional = ToMap(ReadFields(additionalText, "62"));
            bill = additional.GetValueOrDefault("01");
            reference = additional.GetValueOrDefault("05");
            purpose = additional.GetValueOrDefault("08");
        }

        return new VietQrParseResult(new VietQrParsed(initiation == "12", bin, account, service, amount, purpose, bill,
            reference, expectedCrc, currency, country), null, null);
    }

    private sealed record Field(string Id, string Value);

    /// <summary>The templates whose value is itself a list of fields; they are split as soon as they are read, so that a
    /// wrong length is blamed on the innermost block whose content does not add up (e.g. "38.01").</summary>
    private static readonly HashSet<string> Templates = ["38", "38.01", "62"];

    /// <summary>Splits ID(2) LEN(2) VALUE fields. At the top level a length that does not fit blames that field;
    /// inside a template it blames the template, whose declared length then disagrees with its content.</summary>
    private static List<Field> ReadFields(string text, string container)
    {
        var prefix = container.Length == 0 ? "" : container + ".";
        var fields = new List<Field>();
        var i = 0;
        while (i < text.Length)
        {
            string? id = text.Length - i >= 2 && char.IsAsciiDigit(text[i]) && char.IsAsciiDigit(text[i + 1]) ? text.Substring(i, 2) : null;
            var length = -1;
            if (id is not null && text.Length - i >= 4 && char.IsAsciiDigit(text[i + 2]) && char.IsAsciiDigit(text[i + 3]))
                length = int.Parse(text.AsSpan(i + 2, 2), CultureInfo.InvariantCulture);
            if (id is null || length <= 0 || i + 4 + length > text.Length)
            {
                if (container.Length > 0) throw Broken(container, $"Độ dài trường {container} không đúng: nội dung không khớp với các trường con.");
                if (id is null) throw Broken("payload", $"Mã QR sai cấu trúc ở ký tự thứ {i + 1}: cần mã trường gồm 2 chữ số.");
                throw Broken(id, $"Độ dài trường {id} không đúng.");
            }
            var value = text.Substring(i + 4, length);
            if (Templates.Contains(prefix + id)) ReadFields(value, prefix + id);
            fields.Add(new Field(id, value));
            i += 4 + length;
        }
        return fields;
    }

    private static Dictionary<string, string> ToMap(List<Field> fields)
    {
        var map = new Dictionary<string, string>();
        foreach (var f in fields) map.TryAdd(f.Id, f.Value);
        return map;
    }

    private static FormatException Broken(string field, string message)
    {
        var e = new FormatException(message);
        e.Data["field"] = field;
        return e;
    }

    private static VietQrParseResult Fail(string field, string message) => new(null, field, message);

    private static void Tlv(StringBuilder target, string id, string value)
    {
        if (value.Length is 0 or > 99) throw new InvalidOperationException($"Field {id} has length {value.Length}.");
        target.Append(id).Append(value.Length.ToString("D2", CultureInfo.InvariantCulture)).Append(value);
    }

    /// <summary>Folds Vietnamese to ASCII (both Unicode forms, đ→d), collapses spaces, then allows printable ASCII only.</summary>
    private static string? CleanText(string field, string label, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var ascii = new StringBuilder(text.Length);
        foreach (var c in Slug.ToAscii(text))
        {
            // Phones and word processors type typographic punctuation: write its plain ASCII form.
            ascii.Append(c switch
            {
                '\u2013' or '\u2014' or '\u2212' => "-",
                '\u2018' or '\u2019' => "'",
                '\u201C' or '\u201D' => "\"",
                '\u2026' => "...",
                _ when char.IsWhiteSpace(c) => " ",
                _ => c.ToString(),
            });
        }
        var folded = string.Join(' ', ascii.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (!folded.All(IsPrintableAscii))
            throw new VietQrException(field, $"{label} chỉ được gồm chữ cái, chữ số và dấu câu thông thường (không có biểu tượng cảm xúc hay chữ nước ngoài).");
        if (folded.Length > MaxTextLength)
            throw new VietQrException(field, $"{label} dài tối đa {MaxTextLength} ký tự sau khi bỏ dấu (đang có {folded.Length}).");
        return folded;
    }

    private static string RemoveWhitespace(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    private static bool IsPrintableAscii(char c) => c is >= ' ' and <= '~';
}
