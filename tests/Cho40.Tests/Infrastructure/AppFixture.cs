namespace Cho40.Tests.Infrastructure;

/// <summary>One app with the demo data per test class (xunit class fixture).</summary>
public sealed class DemoAppFixture : IAsyncLifetime
{
    public Cho40App App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await App.DisposeAsync();
}
