using Cho40.Db;
using Cho40.Web.Infrastructure;
using Npgsql;

namespace Cho40.Web.Pages.Shop;

/// <summary>
/// Pushes catalogue changes to this process's search index (<see cref="CatalogSearchIndex"/>, channel
/// <see cref="CatalogSearchIndex.Channel"/>), so a search reads nothing from PostgreSQL. After LISTEN it reads the version and
/// the sold-out products once; every minute of silence it reads them again (a notification lost with a half-open
/// connection cannot last longer than that). While it is not connected, every search reads them itself.
/// </summary>
public sealed class CatalogSearchListener(NpgsqlDataSource db, CatalogSearchIndex index, ILogger<CatalogSearchListener> logger)
    : NotificationListener(db, logger)
{
    protected override string Channel => CatalogSearchIndex.Channel;

    protected override TimeSpan? IdleAfter => TimeSpan.FromMinutes(1);

    protected override void Notified(string payload) => index.Notified(payload);

    protected override void Lost() => index.NotListening();

    protected override Task ListeningAsync(NpgsqlConnection connection, bool again, CancellationToken cancellationToken) =>
        index.ListeningAsync(connection, cancellationToken);

    protected override Task IdleAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        index.ListeningAsync(connection, cancellationToken);
}
