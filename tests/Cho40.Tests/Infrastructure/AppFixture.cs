namespace Cho40.Tests.Infrastructure;

/// <summary>
/// One app with the demo data per test class (xunit class fixture): starting an app costs ~0.2 s, cloning its database
/// ~50 ms, so the tests of a class share both. They must not depend on each other: a test creates the rows it asserts on
/// with values no other test uses (<see cref="Unique"/>, <c>StallTestData.NewStallAsync</c>), or asserts relative to what
/// it read first; it never changes a demo row another test of the class reads. <c>CHO40_TEST_ORDER=reverse</c> (or
/// <c>random:SEED</c>) runs the tests of every class in another order to prove it (<see cref="TestOrder"/>).
/// </summary>
public sealed class DemoAppFixture : IAsyncLifetime
{
    public Cho40App App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await App.DisposeAsync();
}
