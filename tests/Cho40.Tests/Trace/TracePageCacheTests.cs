using System.Net;
using System.Net.Http.Headers;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Pages.Trace;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Trace;

/// <summary>
/// The trace page from the server-side output cache: every view is still counted (the count is taken in front of the
/// cache), a pack's own code is never cached, and the cache keeps languages and linksets apart. An app of its own, so
/// that no other test's scans of the demo batches mix in.
/// </summary>
public sealed class TracePageCacheTests : IAsyncLifetime
{
    private const string Batch = "TCDB25AQ";
    private const string DigitalLink = "/01/08936042000017/10/TC2025-A"; // the same batch through its GS1 Digital Link
    private Cho40App app = null!;

    public async Task InitializeAsync() => app = await Cho40App.StartAsync(withDemoData: true);

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<long> CountedAsync()
    {
        await app.Services.GetRequiredService<ScanCounter>().FlushAsync();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COALESCE(sum(s.scans), 0)::bigint FROM trace_batch_scans s JOIN trace_batches b ON b.id = s.batch_id WHERE b.code = @Batch",
            new { Batch });
    }

    [Fact]
    public async Task Every_request_through_the_cache_is_counted_exactly_once()
    {
        var before = await CountedAsync();
        using var client = app.NewClient();
        const int sequential = 30, concurrent = 40;
        var fromCache = 0;
        for (var i = 0; i < sequential; i++)
        {
            var response = await client.Http.GetAsync(i % 3 == 2 ? DigitalLink : $"/t/{Batch}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains(TraceScanCounting.BatchHeader)); // internal: never sent
            if (response.Headers.Age is not null) fromCache++;
        }
        // The cache was really in front: all but the first request of each address came from it.
        Assert.True(fromCache >= sequential - 2, $"{fromCache} of {sequential} answers came from the cache");

        // Many phones at once, including the moment the entry is first stored.
        await app.Services.GetRequiredService<Microsoft.AspNetCore.OutputCaching.IOutputCacheStore>().EvictByTagAsync(TracePageCache.Tag, default);
        var responses = await Task.WhenAll(Enumerable.Range(0, concurrent).Select(_ => client.Http.GetAsync($"/t/{Batch}")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        Assert.Equal(before + sequential + concurrent, await CountedAsync());
    }

    [Fact]
    public async Task Pages_that_are_not_a_batch_view_are_not_counted()
    {
        var before = await CountedAsync();
        using var client = app.NewClient();
        Assert.Equal(HttpStatusCode.TemporaryRedirect, (await client.Http.GetAsync(DigitalLink + "?linkType=gs1:pip")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync(DigitalLink + "?linkType=all")).StatusCode); // a linkset
        Assert.Equal(HttpStatusCode.NotFound, (await client.Http.GetAsync("/t/TCDB25AR")).StatusCode);
        Assert.Equal(before, await CountedAsync());
    }

    [Fact]
    public async Task A_packs_own_code_is_never_served_from_the_cache_and_each_scan_is_recorded()
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        const string serial = "K7M4Q2XPCF";
        var before = await connection.ExecuteScalarAsync<int>("SELECT scan_count FROM trace_units WHERE serial = @serial", new { serial });
        using var client = app.NewClient();
        for (var i = 0; i < 3; i++)
        {
            var response = await client.Http.GetAsync($"/t/{Batch}/{serial}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Null(response.Headers.Age);
            Assert.True(response.Headers.CacheControl!.NoStore);
        }
        Assert.Equal(before + 3, await connection.ExecuteScalarAsync<int>("SELECT scan_count FROM trace_units WHERE serial = @serial", new { serial }));
    }

    [Fact]
    public async Task The_cache_keeps_languages_and_linksets_apart()
    {
        using var client = app.NewClient();
        for (var round = 0; round < 2; round++) // the second round comes from the cache
        {
            var vietnamese = await client.Http.GetStringAsync($"/t/{Batch}");
            Assert.Contains("Hành trình sản phẩm", vietnamese);
            var english = await client.Http.GetStringAsync($"/t/{Batch}?culture=en");
            Assert.Contains("<html lang=\"en\"", english);
            Assert.DoesNotContain("Hành trình sản phẩm", english);

            var request = new HttpRequestMessage(HttpMethod.Get, DigitalLink) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/linkset+json") } } };
            var linkset = await client.Http.SendAsync(request);
            Assert.Equal("application/linkset+json", linkset.Content.Headers.ContentType!.MediaType);
            var page = await client.Http.GetAsync(DigitalLink);
            Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        }
    }
}
