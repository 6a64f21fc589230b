namespace Cho40.Db.Domain;

/// <summary>
/// GS1 Global Trade Item Numbers. GTIN-8/12/13/14 are all stored as GTIN-14 (left-padded with zeros,
/// as GS1 Digital Link requires); the last digit is the GS1 mod-10 check digit.
/// </summary>
public static class Gtin
{
    /// <summary>The GTIN-14 form of <paramref name="input"/> (spaces and dashes ignored), or null when it is not a valid GTIN.</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input)) return null;
        var digits = new string(input.Where(c => c is not (' ' or '-')).ToArray());
        if (digits.Length is not (8 or 12 or 13 or 14) || !digits.All(char.IsAsciiDigit)) return null;
        var gtin14 = digits.PadLeft(14, '0');
        return CheckDigit(gtin14.AsSpan(0, 13)) == gtin14[13] - '0' ? gtin14 : null;
    }

    public static bool IsValid(string? input) => Normalize(input) is not null;

    /// <summary>GS1 mod-10: from the right, digits weighted 3, 1, 3, …; the check digit brings the sum to a multiple of 10.</summary>
    public static int CheckDigit(ReadOnlySpan<char> digitsWithoutCheck)
    {
        var sum = 0;
        for (var i = 0; i < digitsWithoutCheck.Length; i++)
        {
            var digit = digitsWithoutCheck[digitsWithoutCheck.Length - 1 - i] - '0';
            sum += i % 2 == 0 ? digit * 3 : digit;
        }
        return (10 - sum % 10) % 10;
    }
}
