using System.Text.RegularExpressions;
using Cho40.Web.Infrastructure;

namespace Cho40.Tests.Foundation;

/// <summary>One way to write numbers: money, percentages and changes, and no stray formats left in the sources.</summary>
public sealed class FormattingTests
{
    [Theory]
    [InlineData(1_500_000L, "1.500.000\u00A0₫")]
    [InlineData(0L, "0\u00A0₫")]
    [InlineData(999L, "999\u00A0₫")]
    [InlineData(-20_000L, "-20.000\u00A0₫")]
    [InlineData(long.MaxValue, "9.223.372.036.854.775.807\u00A0₫")]
    public void Money_has_dot_groups_and_a_non_breaking_space_before_the_dong_sign(long amount, string expected) =>
        Assert.Equal(expected, Formatting.Vnd(amount));

    [Theory]
    [InlineData(64.94, "64,94\u00A0%")]
    [InlineData(64.9449, "64,94\u00A0%")]
    [InlineData(100.0, "100\u00A0%")]
    [InlineData(0.5, "0,5\u00A0%")]
    [InlineData(1234.5, "1.234,5\u00A0%")]
    public void Percentages_use_a_decimal_comma(double percent, string expected) =>
        Assert.Equal(expected, Formatting.Percent(percent));

    [Fact]
    public void Basis_points_become_percentages() => Assert.Equal("64,94\u00A0%", Formatting.PercentFromBasisPoints(6494));

    [Theory]
    [InlineData(33.333, "+33,3\u00A0% so với hôm trước")]
    [InlineData(-12.04, "-12\u00A0% so với hôm trước")]
    [InlineData(0.01, "0\u00A0% so với hôm trước")]
    public void Changes_carry_their_sign_and_what_they_compare(double percent, string expected) =>
        Assert.Equal(expected, Formatting.Change(percent, "so với hôm trước"));

    /// <summary>
    /// Shown text builds money and percentages only through Formatting: no "… đ" suffix, no invariant "0.##" percent,
    /// no "C0" format outside Formatting.cs. (Parsers and hints that quote what people type are allowed.)
    /// </summary>
    [Fact]
    public void No_stray_number_formats_in_the_web_sources()
    {
        var root = Path.Combine(RepoRoot(), "web");
        var stray = new Regex(@"""\s*đ""|\+ "" %""|""C0""|ToString\(""0\.#+""[^)]*\) \+ "" %|\(đ\)""");
        var offenders = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".cshtml", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => stray.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "Format money and percentages with Formatting:\n" + string.Join("\n", offenders));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "cho40")) && File.Exists(Path.Combine(dir.FullName, "Cho40.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root was not found above " + AppContext.BaseDirectory);
    }
}
