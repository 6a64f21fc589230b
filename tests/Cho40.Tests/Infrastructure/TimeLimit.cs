using Xunit.Abstractions;

namespace Cho40.Tests.Infrastructure;

/// <summary>
/// Wall-clock checks that hold on the shared 2-core machine at a load average of 6 and still catch a real regression.
/// A test states its target (what the product promises: "on the screen within 2 s"), prints what it measured, and fails
/// only beyond the target times a margin (5–10×): a slow run on a busy machine passes, a broken push, a lost retry or a
/// decode of a 40-gigapixel image does not. docs/quality/tests.md lists each check, its target and its margin.
/// </summary>
public static class TimeLimit
{
    /// <summary>How long a test may wait for something whose target is <paramref name="target"/>.</summary>
    public static TimeSpan Allowed(TimeSpan target, int margin) => target * margin;

    /// <summary>Writes "what: N ms (target, limit)" to the test's output and fails beyond <paramref name="target"/> × <paramref name="margin"/>.</summary>
    public static void Check(ITestOutputHelper? output, string what, TimeSpan elapsed, TimeSpan target, int margin)
    {
        var allowed = Allowed(target, margin);
        output?.WriteLine($"{what}: {elapsed.TotalMilliseconds:F0} ms (target {Seconds(target)}, fails above {Seconds(allowed)} = {margin}×)");
        Assert.True(elapsed <= allowed,
            $"{what} took {elapsed.TotalSeconds:F1} s: the target is {Seconds(target)}, and even a loaded machine should stay under {Seconds(allowed)}");
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#} s";
}
