using System.Security.Cryptography;

namespace Cho40.Db.Domain;

/// <summary>
/// Short public codes for batches and packs: random characters from an alphabet without look-alikes
/// (no 0/O, 1/I), followed by one check character. The check is Damm's scheme over GF(32): the
/// running value is r ← 2·r ⊕ c (multiplication in GF(2⁵) modulo x⁵+x²+1) and the check character makes
/// the final value 0. Because r ↦ 2r is a bijection, any single substituted character is caught; because
/// (2(2r⊕a))⊕b = (2(2r⊕b))⊕a only when a = b, any swap of two neighbouring characters is caught too.
/// </summary>
public static class TraceCode
{
    public const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    public const int BatchLength = 8;
    public const int SerialLength = 10;

    private static readonly sbyte[] Values = BuildValues();

    /// <summary>A new code: <paramref name="length"/> − 1 random characters and the check character.</summary>
    public static string New(int length)
    {
        Span<char> code = stackalloc char[length];
        Span<byte> random = stackalloc byte[length - 1];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < length - 1; i++) code[i] = Alphabet[random[i] & 31]; // 256 is a multiple of 32: no bias
        code[length - 1] = Alphabet[CheckValue(code[..(length - 1)])];
        return new string(code);
    }

    public static string NewBatchCode() => New(BatchLength);
    public static string NewSerial() => New(SerialLength);

    /// <summary>The check character for a code body.</summary>
    public static char CheckCharacter(ReadOnlySpan<char> body) => Alphabet[CheckValue(body)];

    /// <summary>True when every character is in the alphabet and the check character matches.</summary>
    public static bool IsValid(ReadOnlySpan<char> code)
    {
        if (code.Length < 2) return false;
        var r = 0;
        foreach (var c in code)
        {
            var v = c < 128 ? Values[c] : -1;
            if (v < 0) return false;
            r = Times2(r) ^ v;
        }
        return r == 0;
    }

    /// <summary>What a person typed, made comparable: upper case, spaces and dashes dropped. Null when not a valid code.</summary>
    public static string? Normalize(string? input, int length)
    {
        if (input is null) return null;
        var cleaned = new string(input.Where(c => c is not (' ' or '-')).Select(char.ToUpperInvariant).ToArray());
        return cleaned.Length == length && IsValid(cleaned) ? cleaned : null;
    }

    private static int CheckValue(ReadOnlySpan<char> body)
    {
        var r = 0;
        foreach (var c in body)
        {
            var v = c < 128 ? Values[c] : -1;
            if (v < 0) throw new ArgumentException($"'{c}' is not in the code alphabet", nameof(body));
            r = Times2(r) ^ v;
        }
        return Times2(r); // the check value c makes 2r ⊕ c = 0
    }

    private static int Times2(int r) => (r & 16) != 0 ? ((r << 1) ^ 0b100101) & 31 : r << 1;

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Alphabet.Length; i++) values[Alphabet[i]] = (sbyte)i;
        return values;
    }
}
