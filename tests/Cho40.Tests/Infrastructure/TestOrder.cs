using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Cho40.Tests.Infrastructure.TestCollectionOrder", "Cho40.Tests")]
[assembly: TestCaseOrderer("Cho40.Tests.Infrastructure.TestCaseOrder", "Cho40.Tests")]

namespace Cho40.Tests.Infrastructure;

/// <summary>
/// The order test classes start in, and the order of the tests inside each class, from the environment variable
/// CHO40_TEST_ORDER: unset or <c>default</c> — xunit's own order; <c>reverse</c> — xunit's order backwards (classes and
/// the tests of each class); <c>random:SEED</c> — a shuffle that the same seed repeats (<c>random</c> alone picks a seed).
/// A test that passes only in one order depends on another test: every order must pass.
/// The order used is written to test-order.txt next to the test assembly (and as an xunit diagnostic message).
/// </summary>
public static class TestOrder
{
    public const string Variable = "CHO40_TEST_ORDER";

    private static readonly Lazy<(string Mode, int Seed)> Setting = new(Read);

    public static string Mode => Setting.Value.Mode;

    public static int Seed => Setting.Value.Seed;

    private static (string Mode, int Seed) Read()
    {
        var value = (Environment.GetEnvironmentVariable(Variable) ?? "").Trim().ToLowerInvariant();
        (string, int) setting = value switch
        {
            "" or "default" => ("default", 0),
            "reverse" => ("reverse", 0),
            "random" => ("random", Environment.TickCount & 0x7FFFFFFF),
            _ when value.StartsWith("random:", StringComparison.Ordinal)
                   && int.TryParse(value["random:".Length..], System.Globalization.CultureInfo.InvariantCulture, out var seed) => ("random", seed),
            _ => throw new InvalidOperationException($"{Variable}={value}: use default, reverse, random or random:SEED"),
        };
        try
        {
            File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "test-order.txt"),
                setting.Item1 == "random" ? $"random:{setting.Item2}\n" : setting.Item1 + "\n");
        }
        catch (IOException)
        {
            // Only a note for people; the order itself does not depend on it.
        }
        return setting;
    }

    /// <summary>Applies the configured order to a list already in xunit's order; <paramref name="scope"/> varies the shuffle per class.</summary>
    public static IEnumerable<T> Apply<T>(IEnumerable<T> defaultOrder, string scope)
    {
        var items = defaultOrder.ToList();
        switch (Mode)
        {
            case "reverse":
                items.Reverse();
                return items;
            case "random":
                var random = new Random(unchecked(Seed * 31 + StableHash(scope)));
                for (var i = items.Count - 1; i > 0; i--)
                {
                    var j = random.Next(i + 1);
                    (items[i], items[j]) = (items[j], items[i]);
                }
                return items;
            default:
                return items;
        }
    }

    /// <summary>FNV-1a: string.GetHashCode differs from process to process, and a seed must repeat the same order.</summary>
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }
        return unchecked((int)hash);
    }

    internal static void Announce(IMessageSink sink, string what) =>
        sink.OnMessage(new DiagnosticMessage($"{Variable}: {(Mode == "random" ? $"random:{Seed}" : Mode)} ({what})"));
}

/// <summary>Orders test collections (one per test class here) by <see cref="TestOrder"/>.</summary>
public sealed class TestCollectionOrder(IMessageSink diagnosticMessageSink) : ITestCollectionOrderer
{
    private readonly DefaultTestCollectionOrderer defaultOrder = new();

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        TestOrder.Announce(diagnosticMessageSink, "test classes");
        return TestOrder.Apply(defaultOrder.OrderTestCollections(testCollections), "collections");
    }
}

/// <summary>Orders the tests of each class by <see cref="TestOrder"/>.</summary>
public sealed class TestCaseOrder(IMessageSink diagnosticMessageSink) : ITestCaseOrderer
{
    private readonly DefaultTestCaseOrderer defaultOrder = new(diagnosticMessageSink);

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase
    {
        var ordered = defaultOrder.OrderTestCases(testCases).ToList();
        var scope = ordered.Count > 0 ? ordered[0].TestMethod.TestClass.Class.Name : "";
        return TestOrder.Apply(ordered, scope);
    }
}
