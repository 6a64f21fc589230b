using System.Globalization;
using Cho40.Db.Domain;

namespace Cho40.Web.Infrastructure;

/// <summary>
/// How numbers, money and times are shown, in pages and in the text of exports alike: VND the Vietnamese way in
/// either language (<c>1.500.000 ₫</c>, a non-breaking space so "₫" never wraps onto its own line), percentages
/// with a decimal comma (<c>64,94 %</c>), changes with their sign and what they compare; times in Vietnam.
/// </summary>
public static class Formatting
{
    /// <summary>U+00A0: keeps a number and its unit on one line.</summary>
    public const char Nbsp = '\u00A0';

    private static readonly CultureInfo Vietnamese = CultureInfo.GetCultureInfo("vi-VN");

    /// <summary>1500000 → "1.500.000 ₫" (non-breaking space); −20000 → "-20.000 ₫".</summary>
    public static string Vnd(long amount) =>
        (amount < 0 ? "-" : "") + Math.Abs((decimal)amount).ToString("#,0", Vietnamese) + Nbsp + "₫";

    /// <summary>A whole number with dot groups: 10000 → "10.000".</summary>
    public static string Number(long value) => value.ToString("#,0", Vietnamese);

    /// <summary>64.94 → "64,94 %" (at most <paramref name="decimals"/> decimals, half away from zero, non-breaking space).</summary>
    public static string Percent(decimal percent, int decimals = 2) =>
        Math.Round(percent, decimals, MidpointRounding.AwayFromZero).ToString("#,0." + new string('#', decimals), Vietnamese) + Nbsp + "%";

    public static string Percent(double percent, int decimals = 2) => Percent((decimal)percent, decimals);

    /// <summary>Basis points as a percentage: 6494 → "64,94 %".</summary>
    public static string PercentFromBasisPoints(int basisPoints) => Percent(basisPoints / 100.0);

    /// <summary>A change with its sign and what it compares: "+12,5 % so với hôm trước"; "-3 % …"; "0 % …".</summary>
    public static string Change(double percent, string comparedWith, int decimals = 1)
    {
        var rounded = Math.Round(percent, decimals, MidpointRounding.AwayFromZero);
        var sign = rounded > 0 ? "+" : rounded < 0 ? "-" : "";
        return sign + Percent(Math.Abs(rounded), decimals) + " " + comparedWith;
    }

    /// <summary>A UTC instant as a Vietnam wall-clock time, e.g. "22/11/2026 07:05".</summary>
    public static string VietnamDateTime(DateTimeOffset instant) =>
        VietnamTime.ToVietnam(instant).ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture);

    public static string VietnamDate(DateTimeOffset instant) =>
        VietnamTime.ToVietnam(instant).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
}
