using System.Globalization;
using System.Text;

namespace Cho40.Db.Domain;

/// <summary>The bounds of one money field (whole VND) and how its limit is named in messages.</summary>
public sealed record MoneyField(long MinVnd, long MaxVnd)
{
    /// <summary>Thu tiền and cash sales: a NAPAS transfer is capped below 500,000,000 ₫.</summary>
    public static readonly MoneyField StallPayment = new(1_000, 499_999_999);

    /// <summary>A product price (products.price_vnd &lt; 1,000,000,000).</summary>
    public static readonly MoneyField Price = new(1, 999_999_999);

    /// <summary>A COD adjustment: what the carrier really owes for a parcel (0 when nothing is owed).</summary>
    public static readonly MoneyField CodAdjustment = new(0, 999_999_999);

    /// <summary>Shop price filters (gia-tu, gia-den).</summary>
    public static readonly MoneyField PriceFilter = new(0, 999_999_999);
}

/// <summary>What <see cref="MoneyText.Read"/> found: an amount, or a message (a localizer key with its arguments).</summary>
public sealed record MoneyReading(long? AmountVnd, string? Error, object[] ErrorArgs)
{
    public bool Ok => AmountVnd is not null;

    public static MoneyReading Of(long amount) => new(amount, null, []);

    public static MoneyReading Refused(string error, params object[] args) => new(null, error, args);
}

/// <summary>
/// The one parser for money people type, in every money field. Vietnamese write <c>120.000</c>, <c>120000</c>,
/// <c>120.000 đ</c>, <c>120k</c>, <c>120 nghìn</c>/<c>ngàn</c>, <c>1tr2</c>, <c>1,2 triệu</c>, <c>1 triệu 200</c>.
/// Rules (docs/features/money-typed-by-people.md):
/// <list type="bullet">
/// <item>a dot, comma or space followed by exactly three digits groups thousands (one kind of separator per number);</item>
/// <item>a dot or comma followed by other than three digits is a decimal point — allowed only before a unit word
/// (<c>1,2 triệu</c>, <c>2.5k</c>) and only when the result is whole đồng; on a bare number (<c>1.5</c>, <c>12,5</c>,
/// <c>50000,5</c>) it could be a decimal or a slip, so it is refused;</item>
/// <item>grouped thousands followed by decimals (<c>120.000,00</c>, <c>120,000.50</c>) are refused: people and
/// spreadsheets read them as different amounts;</item>
/// <item>digits after a unit word are the next lower digits of that unit: one digit is tenths (<c>1tr2</c> =
/// 1.200.000), three digits are thousandths (<c>1 triệu 200</c> = 1.200.000); two digits (<c>1tr25</c>) are refused,
/// since 1.250.000 and 1.025.000 are both what people mean by it;</item>
/// <item>units (k/nghìn/ngàn, tr/triệu, tỷ) go from large to small, each part smaller than the unit before.</item>
/// </list>
/// Anything else is refused with a message that says what to type. Never guessed.
/// </summary>
public static class MoneyText
{
    public const int MaxLength = 40;

    // Localizer keys (the Vietnamese text is the key; English in SharedResource.en.resx).
    public const string EmptyError = "Hãy nhập số tiền, ví dụ 120.000 hoặc 120k.";
    public const string UnreadableError = "Không đọc được «{0}» là số tiền. Gõ số đồng bằng chữ số, ví dụ 120.000, 120k hoặc 1tr2.";
    public const string AmbiguousError = "«{0}» có thể hiểu là {1} hoặc {2}. Gõ lại số đồng đầy đủ, ví dụ {1}.";
    public const string DecimalError = "«{0}» có số lẻ nên có thể hiểu theo hai cách. Gõ số đồng chẵn, không có số lẻ, ví dụ 120.000 hoặc 1,5 triệu.";
    public const string FractionOfDongError = "«{0}» không ra số đồng chẵn. Gõ số đồng, ví dụ 120.000.";
    public const string NegativeError = "Số tiền không được âm.";
    public const string TooSmallError = "Số tiền ít nhất là {0}.";
    public const string TooSmallThousandsError = "Số tiền ít nhất là {0}. Nếu bạn muốn {1}, hãy gõ {2}.";
    public const string TooLargeError = "Số tiền nhiều nhất là {0} (bạn gõ {1}).";

    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>1500000 → "1.500.000 ₫" (the way messages show amounts).</summary>
    public static string Figures(long amount) => amount.ToString("C0", Vietnamese);

    /// <summary>120000 → "Một trăm hai mươi nghìn đồng": the amount read back before a QR is shown.</summary>
    public static string Words(long amount)
    {
        var words = VietnameseNumberWords.Of(amount) + " đồng";
        return char.ToUpper(words[0], Vietnamese) + words[1..];
    }

    /// <summary>Reads <paramref name="text"/> for a field with the bounds of <paramref name="field"/>.</summary>
    public static MoneyReading Read(string? text, MoneyField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var shown = (text ?? "").Trim();
        if (shown.Length > MaxLength) shown = shown[..MaxLength] + "…";
        var parsed = Parse(text);
        if (parsed.Error is not null) return parsed with { ErrorArgs = parsed.ErrorArgs.Length == 0 ? [shown] : [shown, .. parsed.ErrorArgs] };
        var amount = parsed.AmountVnd!.Value;
        if (amount < field.MinVnd)
        {
            // "120" at a stall is nearly always 120 nghìn: say so, but never take it upon ourselves.
            if (amount > 0 && amount < 1000 && amount * 1000 >= field.MinVnd && amount * 1000 <= field.MaxVnd)
                return MoneyReading.Refused(TooSmallThousandsError, Figures(field.MinVnd), Figures(amount * 1000),
                    amount.ToString(CultureInfo.InvariantCulture) + "k");
            return MoneyReading.Refused(TooSmallError, Figures(field.MinVnd));
        }
        if (amount > field.MaxVnd) return MoneyReading.Refused(TooLargeError, Figures(field.MaxVnd), Figures(amount));
        return parsed;
    }

    /// <summary>The amount <paramref name="text"/> means, with no field bounds (0 is read as 0).</summary>
    public static MoneyReading Parse(string? text)
    {
        var s = Normalize(text);
        if (s.Length == 0) return MoneyReading.Refused(EmptyError);
        if (s.Length > MaxLength * 2) return MoneyReading.Refused(UnreadableError);
        if (s[0] is '-' or '−')
        {
            var rest = s.TrimStart('-', '−', ' ');
            return rest.Length > 0 && char.IsAsciiDigit(rest[0]) ? MoneyReading.Refused(NegativeError) : MoneyReading.Refused(UnreadableError);
        }
        if (s[0] == '+') s = s[1..].TrimStart();

        var parts = Scan(s);
        if (parts is null) return MoneyReading.Refused(UnreadableError);
        return Evaluate(parts);
    }

    /// <summary>NFKC, lower case, one kind of space, currency words and symbols removed from either end.</summary>
    internal static string Normalize(string? text)
    {
        var s = (text ?? "").Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var b = new StringBuilder(s.Length);
        var space = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c) || c is '\u00A0' or '\u202F' or '\u2009' or '\u2007')
            {
                space = b.Length > 0;
                continue;
            }
            if (space) b.Append(' ');
            space = false;
            b.Append(c);
        }
        s = b.ToString();
        // Currency at the end ("120.000 đ", "120k vnđ", "50.000đ.") or the start ("₫120.000", "VND 50000").
        foreach (var suffix in CurrencySuffixes)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal))
            {
                var rest = s[..^suffix.Length];
                // "đ"/"d" only after a digit, a unit word or a space: "1tr2d" yes, but never eat part of a word.
                if (suffix is "d" && rest.Length > 0 && !char.IsAsciiDigit(rest[^1]) && rest[^1] != ' ' && !EndsWithUnit(rest)) continue;
                s = rest.TrimEnd();
                break;
            }
        }
        foreach (var prefix in CurrencyPrefixes)
        {
            if (s.StartsWith(prefix, StringComparison.Ordinal))
            {
                s = s[prefix.Length..].TrimStart();
                break;
            }
        }
        return s;
    }

    private static readonly string[] CurrencySuffixes =
        ["vnđ.", "vnd.", "vnđ", "vnd", "đồng.", "đồng", "dong", "đ.", "₫", "đ", "d"];

    private static readonly string[] CurrencyPrefixes = ["vnđ", "vnd", "₫", "đ"];

    private static bool EndsWithUnit(string s) => Units.Keys.Any(u => s.EndsWith(u, StringComparison.Ordinal));

    private static readonly Dictionary<string, long> Units = new(StringComparer.Ordinal)
    {
        ["k"] = 1_000, ["nghìn"] = 1_000, ["ngàn"] = 1_000, ["nghin"] = 1_000, ["ngan"] = 1_000,
        ["tr"] = 1_000_000, ["triệu"] = 1_000_000, ["trieu"] = 1_000_000,
        ["tỷ"] = 1_000_000_000, ["tỉ"] = 1_000_000_000, ["ty"] = 1_000_000_000,
    };

    /// <summary>A number as typed ("1.200", "1,5", "120") and the unit word after it, if any.</summary>
    private sealed record Part(string Number, long? Unit);

    /// <summary>Splits into numbers and unit words; null when a word is not a unit or the text has other characters.</summary>
    private static List<Part>? Scan(string s)
    {
        var parts = new List<Part>();
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] == ' ') { i++; continue; }
            if (!char.IsAsciiDigit(s[i])) return null;
            var start = i;
            while (i < s.Length)
            {
                var c = s[i];
                if (char.IsAsciiDigit(c) || c is '.' or ',') { i++; continue; }
                // A space inside a number only groups thousands: "120 000", "1 200 000" (exactly three digits follow).
                if (c == ' ' && HasGroupAfter(s, i)) { i++; continue; }
                break;
            }
            var number = s[start..i];
            while (i < s.Length && s[i] == ' ') i++;
            long? unit = null;
            if (i < s.Length && char.IsLetter(s[i]))
            {
                var wordStart = i;
                while (i < s.Length && char.IsLetter(s[i])) i++;
                var word = s[wordStart..i];
                if (!Units.TryGetValue(word, out var u)) return null;
                unit = u;
                if (i < s.Length && s[i] == '.') i++; // "tr." as an abbreviation
            }
            parts.Add(new Part(number, unit));
        }
        return parts.Count == 0 ? null : parts;
    }

    private static bool HasGroupAfter(string s, int space)
    {
        // " ddd" then the end, a space, a unit letter or another separator; and the number before it is digits.
        if (space + 3 >= s.Length) return false;
        for (var k = 1; k <= 3; k++) if (!char.IsAsciiDigit(s[space + k])) return false;
        var after = space + 4;
        if (after < s.Length && (char.IsAsciiDigit(s[after]) || s[after] is '.' or ',')) return false;
        // The digits before the space must end a grouped or plain number ("1 200", "12 000"), not a unit part.
        var before = space - 1;
        var run = 0;
        while (before >= 0 && char.IsAsciiDigit(s[before])) { run++; before--; }
        return run is >= 1 and <= 3 && (before < 0 || s[before] == ' ');
    }

    private static MoneyReading Evaluate(List<Part> parts)
    {
        decimal total = 0;
        long? lastUnit = null;
        var lastWasDecimal = false;
        for (var index = 0; index < parts.Count; index++)
        {
            var part = parts[index];
            if (part.Unit is null)
            {
                if (index != parts.Count - 1) return MoneyReading.Refused(UnreadableError);
                if (lastUnit is null)
                {
                    // A bare number: grouped thousands or plain digits only.
                    var bare = ReadNumber(part.Number, beforeUnit: false);
                    if (bare.Error is not null) return bare.Error;
                    total = bare.Value;
                }
                else
                {
                    // Digits after a unit word: the next digits of that unit ("1tr2", "1 triệu 200", "120k5").
                    if (lastWasDecimal || !part.Number.All(char.IsAsciiDigit)) return MoneyReading.Refused(UnreadableError);
                    var digits = part.Number.Length;
                    if (digits is < 1 or > 3) return MoneyReading.Refused(UnreadableError);
                    var value = long.Parse(part.Number, CultureInfo.InvariantCulture);
                    var step = lastUnit.Value / 1000;
                    if (digits == 1) total += value * (lastUnit.Value / 10);
                    else if (digits == 3) total += value * step;
                    else if (digits == 2)
                    {
                        var asTenths = total + value * (lastUnit.Value / 100);
                        var asThousandths = total + value * step;
                        // Decimal, not long: "50001201200tỷ00" is past any long and must still be refused, not crash.
                        return MoneyReading.Refused(AmbiguousError, FiguresOrText(asTenths), FiguresOrText(asThousandths));
                    }
                }
                continue;
            }

            var unit = part.Unit.Value;
            if (lastUnit is not null && (unit >= lastUnit || lastWasDecimal)) return MoneyReading.Refused(UnreadableError);
            var number = ReadNumber(part.Number, beforeUnit: true);
            if (number.Error is not null) return number.Error;
            // Each later part is smaller than the unit before it: "1 triệu 200 nghìn", not "1 triệu 2000 nghìn".
            if (lastUnit is not null && number.Value * unit >= lastUnit) return MoneyReading.Refused(UnreadableError);
            total += number.Value * unit;
            lastUnit = unit;
            lastWasDecimal = number.Value != decimal.Truncate(number.Value) || part.Number.Contains(',') || part.Number.Contains('.');
        }
        if (total != decimal.Truncate(total)) return MoneyReading.Refused(FractionOfDongError);
        if (total > long.MaxValue / 10) return MoneyReading.Refused(UnreadableError);
        return MoneyReading.Of((long)total);
    }

    private readonly record struct NumberValue(decimal Value, MoneyReading? Error);

    /// <summary>
    /// "120000", "120.000", "1 200 000" → grouped or plain; "1,5" / "2.25" → a decimal, only before a unit word.
    /// </summary>
    private static NumberValue ReadNumber(string text, bool beforeUnit)
    {
        var separators = text.Where(c => c is '.' or ',' or ' ').Distinct().ToList();
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[^1]))
            return new(0, MoneyReading.Refused(UnreadableError));
        if (separators.Count == 0) return Digits(text);

        var groups = text.Split('.', ',', ' ');
        if (separators.Count > 1)
        {
            // "120.000,00", "120,000.50": grouped thousands and decimals — two readings.
            var last = groups[^1];
            var grouped = string.Concat(groups[..^1]);
            if (groups[..^1].Skip(1).All(g => g.Length == 3) && groups[0].Length <= 3 && last.Length != 3)
            {
                var intPart = decimal.Parse(grouped, CultureInfo.InvariantCulture);
                var allDigits = decimal.Parse(string.Concat(groups), CultureInfo.InvariantCulture);
                return new(0, MoneyReading.Refused(AmbiguousError, FiguresOrText(intPart), FiguresOrText(allDigits)));
            }
            return new(0, MoneyReading.Refused(UnreadableError));
        }

        var separator = separators[0];
        var isGrouping = groups[0].Length is >= 1 and <= 3 && groups.Skip(1).All(g => g.Length == 3);
        if (groups.Length > 2 || separator == ' ')
        {
            // Several separators of one kind can only group thousands ("1.200.000"); so can spaces. Before a unit word the
            // last one could be a decimal point ("1.200.500 nghìn"): nobody writes that, so it is refused.
            if (beforeUnit && separator != ' ') return new(0, MoneyReading.Refused(UnreadableError));
            return isGrouping ? Digits(string.Concat(groups)) : new(0, MoneyReading.Refused(UnreadableError));
        }

        // One dot or comma.
        var tail = groups[1];
        if (tail.Length == 3)
        {
            // Before a unit "1.200 triệu" is 1.200 triệu or 1,2 triệu: refused. Bare, it groups thousands (DESIGN).
            if (!beforeUnit) return isGrouping ? Digits(string.Concat(groups)) : new(0, MoneyReading.Refused(UnreadableError));
            var asGroups = decimal.Parse(groups[0] + tail, CultureInfo.InvariantCulture);
            var asDecimal = decimal.Parse(groups[0] + "." + tail, CultureInfo.InvariantCulture);
            return new(0, MoneyReading.Refused(AmbiguousError, asGroups.ToString("0.###", Vietnamese), asDecimal.ToString("0.###", Vietnamese)));
        }
        if (!beforeUnit) return new(0, MoneyReading.Refused(DecimalError));
        return new(decimal.Parse(groups[0] + "." + tail, CultureInfo.InvariantCulture), null);
    }

    private static string FiguresOrText(decimal value) =>
        value == decimal.Truncate(value) && value < long.MaxValue ? Figures((long)value) : value.ToString(Vietnamese);

    private static NumberValue Digits(string digits) =>
        digits.Length <= 18 ? new(decimal.Parse(digits, CultureInfo.InvariantCulture), null) : new(0, MoneyReading.Refused(UnreadableError));
}
