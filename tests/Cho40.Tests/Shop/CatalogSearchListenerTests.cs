using System.Diagnostics;
using System.Net;
using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Cho40.Web.Pages.Shop;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cho40.Tests.Shop;

/// <summary>
/// The catalogue's changes pushed to the search index by NOTIFY (<see cref="CatalogSearchListener"/>, migration 0955): while
/// it listens, searches read nothing from PostgreSQL and still show every change within moments; while it does not, each
/// search reads the version itself and misses nothing; a lost connection is taken up again.
/// </summary>
public sealed class CatalogSearchListenerTests(SearchFixture fixture) : IClassFixture<SearchFixture>, IDisposable
{
    private readonly List<Npgsql.NpgsqlDataSource> sources = [];

    public void Dispose()
    {
        foreach (var source in sources) source.Dispose();
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>Pushed changes arrive after their commit, within moments: search until the result shows the change.</summary>
    private static SearchIndexTests.Expect Soon(ShopQueries store) => async (query, shows, what) =>
    {
        var waited = Stopwatch.StartNew();
        while (!shows(await store.SearchAsync(query)))
        {
            Assert.True(waited.Elapsed < Patience, $"'{query.Text}': {what} — not shown after {Patience.TotalSeconds} s");
            await Task.Delay(20);
        }
    };

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Patience, what);
            await Task.Delay(20);
        }
    }

    private (CatalogSearchIndex Index, ShopQueries Store) NewIndex()
    {
        var index = new CatalogSearchIndex(fixture.Db);
        return (index, new ShopQueries(fixture.Db, searchIndex: index));
    }

    /// <summary>A listener on a data source of its own, named so that a test can find its session (and no other's) in pg_stat_activity.</summary>
    private CatalogSearchListener NewListener(CatalogSearchIndex index, string name = "search-listener-test")
    {
        var source = Npgsql.NpgsqlDataSource.Create(new Npgsql.NpgsqlConnectionStringBuilder(fixture.App.ConnectionString) { ApplicationName = name }.ConnectionString);
        sources.Add(source);
        return new CatalogSearchListener(source, index, NullLogger<CatalogSearchListener>.Instance);
    }

    /// <summary>A listener started on <paramref name="index"/>, once it listens.</summary>
    private async Task<CatalogSearchListener> ListeningAsync(CatalogSearchIndex index, string name = "search-listener-test")
    {
        var listener = NewListener(index, name);
        await listener.StartAsync(CancellationToken.None);
        await UntilAsync(() => index.Listens, "the listener never started listening");
        return listener;
    }

    [Fact]
    public async Task While_listening_every_change_is_shown_and_no_search_reads_PostgreSQL()
    {
        var (index, store) = NewIndex();
        await index.BuildAsync();
        using var listener = await ListeningAsync(index);
        try
        {
            await SearchIndexTests.CatalogChangesAsync(fixture.Db, Soon(store));
            Assert.Equal(0, index.DatabaseReads);
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
        Assert.False(index.Listens);
    }

    [Fact]
    public async Task Without_a_listener_each_search_reads_the_version_and_sees_changes_at_once()
    {
        var (index, store) = NewIndex();
        await index.BuildAsync();
        using var listener = await ListeningAsync(index);
        await listener.StopAsync(CancellationToken.None);
        Assert.False(index.Listens);

        // Stopped (as when its connection is lost): the same changes hold for the very next search.
        await SearchIndexTests.CatalogChangesAsync(fixture.Db, SearchIndexTests.AtOnce(store));
        Assert.True(index.DatabaseReads > 10, $"{index.DatabaseReads} searches read the version");
    }

    [Fact]
    public async Task Changes_made_while_nobody_listened_are_shown_once_listening_again()
    {
        var (index, store) = NewIndex();
        await index.BuildAsync();
        await using var connection = await fixture.Db.OpenConnectionAsync();
        var unique = "Măng khô Ba Bể " + Guid.NewGuid().ToString("N")[..6];
        var id = await SearchIndexTests.PublishAsync(connection, unique, "Măng nứa phơi gác bếp.", 120000);
        await connection.ExecuteAsync("UPDATE products SET stock = 0 WHERE id = @id", new { id });

        // Listening starts after both commits: what it reads once after LISTEN must include them.
        using var listener = await ListeningAsync(index);
        try
        {
            var card = (await store.SearchAsync(new SearchQuery(unique))).Hits.Single(h => h.Card.Id == id).Card;
            Assert.True(card.SoldOut);
            Assert.Equal(0, index.DatabaseReads);
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_listener_whose_connection_is_killed_listens_again_and_misses_nothing()
    {
        var (index, store) = NewIndex();
        await index.BuildAsync();
        var name = "search-listener-" + Guid.NewGuid().ToString("N")[..8];
        using var listener = await ListeningAsync(index, name);
        try
        {
            await using var connection = await fixture.Db.OpenConnectionAsync();
            // PostgreSQL restarting, a network cut: the server ends the listening session.
            var killed = await connection.QuerySingleAsync<int>("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = @name
                """, new { name });
            Assert.Equal(1, killed);
            var unique = "Miến dong Bình Liêu " + Guid.NewGuid().ToString("N")[..6];
            var id = await SearchIndexTests.PublishAsync(connection, unique, "Miến dong sợi nhỏ.", 80000);
            // Found whether the search read it (not listening) or it was pushed (listening again).
            await Soon(store)(new SearchQuery(unique), r => r.Hits.Any(h => h.Card.Id == id), "published while the listener reconnected");
            await UntilAsync(() => index.Listens, "the listener did not listen again");
            var reads = index.DatabaseReads;
            await connection.ExecuteAsync("UPDATE products SET stock = 0 WHERE id = @id", new { id });
            await Soon(store)(new SearchQuery(unique), r => r.Hits.Any(h => h.Card.Id == id && h.Card.SoldOut), "sold out after reconnecting");
            Assert.Equal(reads, index.DatabaseReads);
        }
        finally
        {
            await listener.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_web_process_listens_and_its_search_page_shows_a_product_published_by_another_process()
    {
        var index = fixture.App.Services.GetRequiredService<CatalogSearchIndex>();
        await UntilAsync(() => index.Ready && index.Listens, "the site's search index is not built and listening");
        var reads = index.DatabaseReads;
        await using var connection = await fixture.Db.OpenConnectionAsync();
        var unique = "Chè Shan tuyết Hà Giang " + Guid.NewGuid().ToString("N")[..6];
        var id = await SearchIndexTests.PublishAsync(connection, unique, "Chè cổ thụ.", 300000);
        var slug = await connection.QuerySingleAsync<string>("SELECT slug FROM products WHERE id = @id", new { id });

        // The site's own index, searched without the site's result cache (30 s), until the product arrives; then the page.
        await Soon(new ShopQueries(fixture.Db, searchIndex: index))(new SearchQuery(unique), r => r.Hits.Any(h => h.Card.Id == id), "pushed to the site");
        using var client = fixture.App.NewClient();
        var (response, page) = await client.GetPageAsync("/search?q=" + Uri.EscapeDataString(unique));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(page.QuerySelector($".product-card a[href='/san-pham/{slug}']"));
        Assert.Equal(reads, index.DatabaseReads);
    }
}
