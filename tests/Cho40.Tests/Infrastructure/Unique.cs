namespace Cho40.Tests.Infrastructure;

/// <summary>
/// Values no other test uses, for the rows a test creates and asserts on. Tests of one class share a database
/// (<see cref="DemoAppFixture"/>): a test that signs up "0977000111" or looks for "the stall named X" would see what
/// another test of the class left behind, and pass or fail by the order they ran in.
/// </summary>
public static class Unique
{
    // Random start, so two test processes (or two runs against one database) do not meet either.
    private static long counter = Random.Shared.Next(0, 40_000_000);

    private static long Next() => Interlocked.Increment(ref counter);

    /// <summary>A Vietnamese mobile number (10 digits, 09…) that no demo account and no other test has: 0950000000 and up.</summary>
    public static string Phone() => "09" + (50_000_000 + Next() % 50_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A short upper-case token (letters and digits, unique within the run) for stall numbers, lot codes, names.</summary>
    public static string Token(int length = 6)
    {
        const string alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
        var n = Next();
        var chars = new char[length];
        for (var i = length - 1; i >= 0; i--)
        {
            chars[i] = alphabet[(int)(n % alphabet.Length)];
            n /= alphabet.Length;
        }
        return new string(chars);
    }

    /// <summary>A stall number no stall has: "T" and 5 letters or digits (the form accepts A–Z, 0–9 and '-', 1–20 long).</summary>
    public static string StallNumber() => "T" + Token(5);

    /// <summary>A bank account number (13 digits, "19…") that no demo stall and no other test uses.</summary>
    public static string AccountNumber() => "19" + (Next() % 100_000_000_000).ToString("D11", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A name with a unique suffix, e.g. "Rau sạch cô Hoa K7M4Q2".</summary>
    public static string Name(string prefix) => $"{prefix} {Token()}";
}
