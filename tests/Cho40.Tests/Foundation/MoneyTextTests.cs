using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cho40.Db.Domain;
using CsCheck;

namespace Cho40.Tests.Foundation;

/// <summary>
/// The one money parser: what a Vietnamese reader means by each input (table), and that no accepted input is read as a
/// different amount (round trips through every accepted style; random strings against an enumeration of their readings).
/// </summary>
public sealed partial class MoneyTextTests
{
    [Theory]
    // Plain and grouped
    [InlineData("120000", 120_000)]
    [InlineData("120.000", 120_000)]
    [InlineData("120,000", 120_000)]
    [InlineData("120 000", 120_000)]
    [InlineData("1.200.000", 1_200_000)]
    [InlineData("1,200,000", 1_200_000)]
    [InlineData("1 200 000", 1_200_000)]
    [InlineData("5.000", 5_000)]
    [InlineData("0", 0)]
    [InlineData("0120000", 120_000)]
    [InlineData("  86000  ", 86_000)]
    [InlineData("499.999.999", 499_999_999)]
    // Currency, before or after, any case, with or without a space
    [InlineData("120.000 đ", 120_000)]
    [InlineData("120.000đ", 120_000)]
    [InlineData("120.000 ₫", 120_000)]
    [InlineData("120.000₫", 120_000)]
    [InlineData("120000 VND", 120_000)]
    [InlineData("120000vnd", 120_000)]
    [InlineData("120.000 VNĐ", 120_000)]
    [InlineData("120.000 đồng", 120_000)]
    [InlineData("120000 dong", 120_000)]
    [InlineData("120000d", 120_000)]
    [InlineData("120.000 Đ", 120_000)]
    [InlineData("₫120.000", 120_000)]
    [InlineData("VND 120.000", 120_000)]
    [InlineData("120.000 đ.", 120_000)]
    [InlineData("1.500.000\u00a0₫", 1_500_000)]   // as vi-VN formatting writes it (no-break space)
    [InlineData("1\u202f500\u202f000", 1_500_000)] // narrow no-break spaces
    // Thousands words
    [InlineData("120k", 120_000)]
    [InlineData("120K", 120_000)]
    [InlineData("120 k", 120_000)]
    [InlineData("120 nghìn", 120_000)]
    [InlineData("120 ngàn", 120_000)]
    [InlineData("120 nghin", 120_000)]
    [InlineData("120 ngan", 120_000)]
    [InlineData("120 NGHÌN", 120_000)]
    [InlineData("120 nghìn đồng", 120_000)]
    [InlineData("120k đ", 120_000)]
    [InlineData("50k", 50_000)]
    [InlineData("1500k", 1_500_000)]
    [InlineData("2,5k", 2_500)]
    [InlineData("2.5k", 2_500)]
    [InlineData("120k5", 120_500)]
    [InlineData("120k500", 120_500)]
    [InlineData("1k2", 1_200)]
    // Millions
    [InlineData("1tr", 1_000_000)]
    [InlineData("1tr2", 1_200_000)]
    [InlineData("1TR2", 1_200_000)]
    [InlineData("1 tr 2", 1_200_000)]
    [InlineData("1tr200", 1_200_000)]
    [InlineData("1tr050", 1_050_000)]
    [InlineData("1tr005", 1_005_000)]
    [InlineData("1 triệu", 1_000_000)]
    [InlineData("1 triệu 2", 1_200_000)]
    [InlineData("1 triệu 200", 1_200_000)]
    [InlineData("1 triệu 200 nghìn", 1_200_000)]
    [InlineData("1 triệu 200 nghìn đồng", 1_200_000)]
    [InlineData("1tr200k", 1_200_000)]
    [InlineData("1 trieu 250 ngan", 1_250_000)]
    [InlineData("1,2 triệu", 1_200_000)]
    [InlineData("1.2 triệu", 1_200_000)]
    [InlineData("1,25 triệu", 1_250_000)]
    [InlineData("1.5tr", 1_500_000)]
    [InlineData("0,5 triệu", 500_000)]
    [InlineData("2 triệu 5", 2_500_000)]
    [InlineData("15tr", 15_000_000)]
    [InlineData("3 tr.", 3_000_000)]
    [InlineData("1 tỷ", 1_000_000_000)]
    [InlineData("1 triệu 200 nghìn 500", 1_200_500)]
    [InlineData("+120.000", 120_000)]
    public void Reads_what_a_Vietnamese_reader_means(string input, long expected)
    {
        var reading = MoneyText.Parse(input);
        Assert.True(reading.Ok, $"«{input}» refused: {reading.Error}");
        Assert.Equal(expected, reading.AmountVnd);
    }

    [Theory]
    // Could mean two amounts
    [InlineData("120.000,00", MoneyText.AmbiguousError)]
    [InlineData("120,000.00", MoneyText.AmbiguousError)]
    [InlineData("120,000.50", MoneyText.AmbiguousError)]
    [InlineData("1.200.000,5", MoneyText.AmbiguousError)]
    [InlineData("1.5", MoneyText.DecimalError)]
    [InlineData("12,5", MoneyText.DecimalError)]
    [InlineData("50000,5", MoneyText.DecimalError)]
    [InlineData("50000.5", MoneyText.DecimalError)]
    [InlineData("1,25", MoneyText.DecimalError)]
    [InlineData("120.0000", MoneyText.DecimalError)]
    [InlineData("1tr25", MoneyText.AmbiguousError)]
    [InlineData("1 triệu 25", MoneyText.AmbiguousError)]
    [InlineData("1tr05", MoneyText.AmbiguousError)]
    [InlineData("1k25", MoneyText.AmbiguousError)]
    [InlineData("1.200 triệu", MoneyText.AmbiguousError)]
    [InlineData("1,500k", MoneyText.AmbiguousError)]
    // Not money as typed
    [InlineData("", MoneyText.EmptyError)]
    [InlineData("   ", MoneyText.EmptyError)]
    [InlineData("đ", MoneyText.EmptyError)]
    [InlineData("abc", MoneyText.UnreadableError)]
    [InlineData("một trăm nghìn", MoneyText.UnreadableError)]
    [InlineData("5 trăm", MoneyText.UnreadableError)]
    [InlineData("1.20.000", MoneyText.UnreadableError)]
    [InlineData("12.34.567", MoneyText.UnreadableError)]
    [InlineData("1234.567", MoneyText.UnreadableError)]
    [InlineData("12 5", MoneyText.UnreadableError)]
    [InlineData("120.", MoneyText.UnreadableError)]
    [InlineData(".5", MoneyText.UnreadableError)]
    [InlineData("k", MoneyText.UnreadableError)]
    [InlineData("120 nghìn 1 triệu", MoneyText.UnreadableError)]
    [InlineData("1 triệu 2000 nghìn", MoneyText.UnreadableError)]
    [InlineData("1tr2tr", MoneyText.UnreadableError)]
    [InlineData("1,5tr2", MoneyText.UnreadableError)]
    [InlineData("1tr2500", MoneyText.UnreadableError)]
    [InlineData("1.200,000", MoneyText.UnreadableError)]
    [InlineData("50 $", MoneyText.UnreadableError)]
    [InlineData("1e6", MoneyText.UnreadableError)]
    [InlineData("0x10", MoneyText.UnreadableError)]
    [InlineData("-50000", MoneyText.NegativeError)]
    [InlineData("−50.000 đ", MoneyText.NegativeError)]
    [InlineData("1.2345k", MoneyText.FractionOfDongError)]
    [InlineData("0,0005k", MoneyText.FractionOfDongError)]
    // Past any long (found by the property test, seed 30-I_Ao9CUA1: it threw instead of refusing)
    [InlineData("50001201200tỷ00", MoneyText.AmbiguousError)]
    [InlineData("1tỷ123456789012345678901", MoneyText.UnreadableError)]
    public void Refuses_what_could_mean_two_amounts_or_none(string input, string error)
    {
        var reading = MoneyText.Parse(input);
        Assert.False(reading.Ok, $"«{input}» was read as {reading.AmountVnd}");
        Assert.Equal(error, reading.Error);
    }

    [Fact]
    public void Says_both_readings_of_an_ambiguous_amount_and_what_to_type()
    {
        var reading = MoneyText.Read("120.000,00", MoneyField.StallPayment);
        var message = string.Format(CultureInfo.InvariantCulture, reading.Error!, reading.ErrorArgs);
        Assert.Equal("«120.000,00» có thể hiểu là 120.000 ₫ hoặc 12.000.000 ₫. Gõ lại số đồng đầy đủ, ví dụ 120.000 ₫.", message);
        var shorthand = MoneyText.Read("1tr25", MoneyField.StallPayment);
        Assert.Contains("1.250.000 ₫ hoặc 1.025.000 ₫", string.Format(CultureInfo.InvariantCulture, shorthand.Error!, shorthand.ErrorArgs));
    }

    [Theory]
    [InlineData("500.000.000", MoneyText.TooLargeError)]
    [InlineData("1 tỷ", MoneyText.TooLargeError)]
    [InlineData("500", MoneyText.TooSmallThousandsError)]
    [InlineData("0", MoneyText.TooSmallError)]
    public void Refuses_amounts_outside_the_fields_limits(string input, string error)
    {
        var reading = MoneyText.Read(input, MoneyField.StallPayment);
        Assert.Equal(error, reading.Error);
        Assert.Null(reading.AmountVnd);
    }

    [Fact]
    public void A_small_number_at_a_stall_is_never_taken_as_thousands_but_the_message_says_how_to_type_them()
    {
        var reading = MoneyText.Read("120", MoneyField.StallPayment);
        Assert.Null(reading.AmountVnd);
        Assert.Equal("Số tiền ít nhất là 1.000 ₫. Nếu bạn muốn 120.000 ₫, hãy gõ 120k.",
            string.Format(CultureInfo.InvariantCulture, reading.Error!, reading.ErrorArgs));
        Assert.Equal(0, MoneyText.Read("0", MoneyField.CodAdjustment).AmountVnd);
        Assert.Equal(1, MoneyText.Read("1", MoneyField.Price).AmountVnd);
    }

    [Theory]
    [InlineData(120_000, "Một trăm hai mươi nghìn đồng")]
    [InlineData(1_234_000, "Một triệu hai trăm ba mươi tư nghìn đồng")]
    [InlineData(86_000, "Tám mươi sáu nghìn đồng")]
    public void Reads_the_amount_back_in_words(long amount, string words)
    {
        Assert.Equal(words, MoneyText.Words(amount));
        Assert.Equal(amount.ToString("#,0", CultureInfo.GetCultureInfo("vi-VN")) + " ₫", MoneyText.Figures(amount));
    }

    // ---- property tests -----------------------------------------------------------------------------------------

    [Fact]
    public void Every_amount_rendered_in_every_accepted_style_reads_back_as_itself()
    {
        var amounts = Gen.OneOf(Gen.Long[0, 999_999_999], Gen.Long[1, 999_999].Select(k => k * 1000),
            Gen.Long[1, 9_999].Select(h => h * 100_000), Gen.Long[1, 999].Select(m => m * 1_000_000));
        var checkedStyles = 0;
        amounts.Sample(amount =>
        {
            foreach (var text in Renderings(amount))
            {
                var reading = MoneyText.Parse(text);
                if (reading.AmountVnd != amount) throw new InvalidOperationException($"«{text}» ({amount}) read as {reading.AmountVnd?.ToString(CultureInfo.InvariantCulture) ?? reading.Error}");
                Interlocked.Increment(ref checkedStyles);
            }
        }, iter: 4000);
        Assert.True(checkedStyles > 40_000, $"only {checkedStyles} renderings checked");
    }

    [Fact]
    public void No_random_input_is_accepted_unless_it_has_exactly_one_reading_and_that_is_what_it_is_read_as()
    {
        string[] tokens = ["1", "2", "5", "0", "12", "120", "000", "00", "250", "3", ".", ",", " ", "k", "tr", "triệu", "nghìn", "ngàn",
            "tỷ", " đ", "₫", " vnd", "-", "x", "trăm", "  "];
        var accepted = 0;
        var ambiguousRefused = 0;
        Gen.OneOfConst(tokens).Array[1, 7].Select(string.Concat).Sample(text =>
        {
            var readings = Readings(text);
            var reading = MoneyText.Parse(text);
            if (reading.Ok)
            {
                if (readings is null || readings.Count != 1 || readings.Single() != reading.AmountVnd)
                    throw new InvalidOperationException($"«{text}» read as {reading.AmountVnd}, but its readings are {Describe(readings)}");
                Interlocked.Increment(ref accepted);
            }
            else if (readings is { Count: > 1 })
            {
                Interlocked.Increment(ref ambiguousRefused);
            }
        }, iter: 200_000);
        Assert.True(accepted > 1000, $"only {accepted} random inputs accepted: the generator is too weak");
        Assert.True(ambiguousRefused > 1000, $"only {ambiguousRefused} ambiguous inputs seen");
    }

    private static string Describe(HashSet<decimal>? readings) =>
        readings is null ? "none (not money)" : "{" + string.Join(", ", readings.Select(r => r.ToString(CultureInfo.InvariantCulture))) + "}";

    private static readonly CultureInfo Vi = CultureInfo.GetCultureInfo("vi-VN");
    private static readonly CultureInfo En = CultureInfo.GetCultureInfo("en-US");

    /// <summary>Every way the platform accepts <paramref name="amount"/> being written.</summary>
    private static IEnumerable<string> Renderings(long amount)
    {
        var inv = CultureInfo.InvariantCulture;
        var plain = amount.ToString(inv);
        var dots = amount.ToString("#,0", Vi);
        var commas = amount.ToString("#,0", En);
        var spaces = dots.Replace('.', ' ');
        foreach (var number in new[] { plain, dots, commas, spaces }.Distinct())
        {
            yield return number;
            foreach (var currency in new[] { " đ", "đ", " ₫", "₫", " VND", " vnđ", " đồng", " Đ" }) yield return number + currency;
            yield return "₫" + number;
        }
        yield return amount.ToString("C0", Vi);
        if (amount > 0 && amount % 1000 == 0)
        {
            var k = (amount / 1000).ToString(inv);
            foreach (var unit in new[] { "k", "K", " k", " nghìn", " ngàn", " nghin", " ngàn đồng" }) yield return k + unit;
        }
        if (amount >= 1_000_000 && amount % 1000 == 0)
        {
            var m = (amount / 1_000_000).ToString(inv);
            var thousands = amount % 1_000_000 / 1000;
            if (thousands == 0)
            {
                yield return m + "tr";
                yield return m + " triệu";
                yield return m + " TRIỆU đồng";
            }
            else
            {
                yield return $"{m}tr{thousands:000}";
                yield return $"{m} triệu {thousands:000}";
                yield return $"{m} triệu {thousands} nghìn";
                yield return $"{m}tr{thousands}k";
                yield return $"{m} trieu {thousands} ngan";
                if (thousands % 100 == 0)
                {
                    var tenth = thousands / 100;
                    yield return $"{m}tr{tenth}";
                    yield return $"{m} triệu {tenth}";
                    yield return $"{m},{tenth} triệu";
                    yield return $"{m}.{tenth}tr";
                }
                else if (thousands % 10 == 0)
                {
                    yield return $"{m},{thousands / 10:00} triệu";
                    yield return $"{m}.{thousands / 10:00}tr";
                }
            }
        }
    }

    // ---- an independent enumeration of what a string could mean -----------------------------------------------------

    [GeneratedRegex(@"^(?:₫|vnđ|vnd|đ)\s*|\s*(?:vnđ|vnd|đồng|dong|₫|đ|d)\.?$")]
    private static partial Regex Currency();

    [GeneratedRegex(@"\G\s*(?:(?<num>\d+(?:[.,]\d+)*(?: \d{3}(?![\d.,]))*)\s*(?:(?<unit>triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|tỉ|ty|tr|k)\.?)?)")]
    private static partial Regex Part();

    private static readonly Dictionary<string, long> UnitValues = new()
    {
        ["k"] = 1000, ["nghìn"] = 1000, ["nghin"] = 1000, ["ngàn"] = 1000, ["ngan"] = 1000,
        ["tr"] = 1_000_000, ["triệu"] = 1_000_000, ["trieu"] = 1_000_000, ["tỷ"] = 1_000_000_000, ["tỉ"] = 1_000_000_000, ["ty"] = 1_000_000_000,
    };

    /// <summary>
    /// Every amount <paramref name="text"/> could mean under the conventions people use: a separator before three digits
    /// groups thousands (before a unit word it may also be a decimal point); before other digit counts it is a decimal
    /// point, or (on a bare number) a slip to be ignored; digits after a unit word are its next digits (two digits may also
    /// count the next lower unit). Null when the text is not money in any of them. Includes amounts that are not whole đồng.
    /// </summary>
    private static HashSet<decimal>? Readings(string text)
    {
        var s = Regex.Replace(text.Normalize(NormalizationForm.FormKC).ToLowerInvariant().Replace('\u00a0', ' ').Replace('\u202f', ' '), @"\s+", " ").Trim();
        s = Currency().Replace(s, "").Trim();
        s = Currency().Replace(s, "").Trim();
        if (s.StartsWith('+')) s = s[1..].TrimStart();
        if (s.Length == 0 || s.StartsWith('-') || s.StartsWith('−')) return null;
        var parts = new List<(string Number, long? Unit)>();
        var at = 0;
        while (at < s.Length)
        {
            var m = Part().Match(s, at);
            if (!m.Success || m.Length == 0) return null;
            parts.Add((m.Groups["num"].Value, m.Groups["unit"].Success ? UnitValues[m.Groups["unit"].Value] : null));
            at += m.Length;
            if (at < s.Length && s[at] == ' ') at++;
        }
        var sums = new HashSet<decimal> { 0 };
        long? previousUnit = null;
        var previousHadSeparator = false;
        for (var i = 0; i < parts.Count; i++)
        {
            var (number, unit) = parts[i];
            HashSet<decimal> values;
            if (unit is null)
            {
                if (i != parts.Count - 1) return null;
                if (previousUnit is null) values = NumberReadings(number, beforeUnit: false);
                else
                {
                    if (previousHadSeparator || !number.All(char.IsAsciiDigit) || number.Length > 3) return null;
                    var padded = decimal.Parse(number.PadRight(3, '0'), CultureInfo.InvariantCulture) * (previousUnit.Value / 1000);
                    values = [padded];
                    if (number.Length == 2) values.Add(decimal.Parse(number, CultureInfo.InvariantCulture) * (previousUnit.Value / 1000));
                }
            }
            else
            {
                if (previousUnit is not null && (unit >= previousUnit || previousHadSeparator)) return null;
                values = NumberReadings(number, beforeUnit: true).Select(v => v * unit.Value)
                    .Where(v => previousUnit is null || v < previousUnit).ToHashSet();
                previousUnit = unit;
                previousHadSeparator = number.Any(c => c is '.' or ',');
            }
            if (values.Count == 0) return null;
            sums = sums.SelectMany(sum => values.Select(v => sum + v)).ToHashSet();
        }
        return sums;
    }

    private static HashSet<decimal> NumberReadings(string number, bool beforeUnit)
    {
        // Runs of digits and the separators between them.
        var runs = Regex.Split(number, @"[.,\s]");
        var separators = Regex.Matches(number, @"[.,\s]").Select(m => m.Value[0]).ToList();
        var result = new HashSet<decimal>();
        if (runs.Any(r => r.Length == 0)) return result;
        // Each separator: 'g' groups thousands, 'd' is a decimal point, 'n' is a slip.
        var options = separators.Select((sep, i) =>
        {
            var after = runs[i + 1].Length;
            if (sep == ' ') return "g";
            if (after == 3) return beforeUnit ? "gd" : "g";
            return beforeUnit ? "d" : "dn";
        }).ToList();
        foreach (var choice in Combinations(options))
        {
            if (choice.Count(c => c == 'd') > 1) continue;
            var decimalAt = choice.IndexOf('d');
            if (decimalAt >= 0 && decimalAt != choice.Count - 1) continue;
            // Grouping is valid when the digits before the first grouping separator are 1-3 and every group has 3.
            var firstGroup = choice.IndexOf('g');
            if (firstGroup >= 0)
            {
                var lead = string.Concat(runs.Take(firstGroup + 1));
                if (lead.Length > 3 || choice.Take(firstGroup).Any(c => c == 'n')) continue;
                // Mixing two grouping characters is not a reading either.
                if (separators.Where((_, i) => choice[i] == 'g').Distinct().Count() > 1) continue;
            }
            var integer = decimalAt < 0 ? string.Concat(runs) : string.Concat(runs.Take(decimalAt + 1));
            var fraction = decimalAt < 0 ? "" : runs[^1];
            if (integer.Length > 18) continue;
            result.Add(decimal.Parse(integer + (fraction.Length > 0 ? "." + fraction : ""), CultureInfo.InvariantCulture));
        }
        return result;
    }

    private static IEnumerable<List<char>> Combinations(List<string> options)
    {
        if (options.Count == 0)
        {
            yield return [];
            yield break;
        }
        foreach (var rest in Combinations(options.Skip(1).ToList()))
            foreach (var c in options[0])
                yield return [c, .. rest];
    }
}
