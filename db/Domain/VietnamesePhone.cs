using System.Text.RegularExpressions;

namespace Cho40.Db.Domain;

/// <summary>Vietnamese mobile numbers, stored in the national form 0XXXXXXXXX.</summary>
public static partial class VietnamesePhone
{
    // Mobile prefixes since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x.
    [GeneratedRegex("^0[35789][0-9]{8}$")]
    private static partial Regex MobilePattern();

    /// <summary>Normalises "+84 912 345 678", "84912345678" or "0912.345.678" to "0912345678"; null when not a mobile number.</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) return null;
        var digits = new string(input.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
        if (digits.StartsWith("+84", StringComparison.Ordinal)) digits = "0" + digits[3..];
        else if (digits.StartsWith("84", StringComparison.Ordinal) && digits.Length == 11) digits = "0" + digits[2..];
        if (digits.Contains('+')) return null;
        return MobilePattern().IsMatch(digits) ? digits : null;
    }
}
