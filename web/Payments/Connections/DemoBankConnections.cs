using Cho40.Db;
using Cho40.Jobs.Payments.Providers;
using Dapper;
using Npgsql;

namespace Cho40.Web.Payments.Connections;

/// <summary>
/// The demo's bank connections, made once when the demo data is loaded (their keys are sealed with this installation's
/// key ring, so they cannot be seed SQL): the collection account on SePay (HMAC) and demo stall A01 on SePay (API key).
/// Nobody sees their keys; the admin's "Giả lập chuyển khoản" signs with them.
/// </summary>
public static class DemoBankConnections
{
    public static async Task CreateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var setup = services.GetRequiredService<BankConnectionSetup>();
        var connections = services.GetRequiredService<BankConnections>();
        var admin = await AdminAsync(services, cancellationToken);
        var (platform, _) = await setup.CreateAsync(null, "sepay", SePay.ModeHmac, admin, cancellationToken);
        if (platform is not null) await setup.SetServiceKeyAsync(platform, "whsec_demo_" + Jobs.Infrastructure.IntegrationSecrets.NewSecret(), cancellationToken);
        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        var a01 = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            SELECT s.id FROM stalls s JOIN markets m ON m.id = s.market_id WHERE m.slug = 'cho-thai' AND s.stall_number = 'A01'
            """, cancellationToken: cancellationToken));
        if (a01 is { } stallId && await connections.ActiveAsync(stallId, cancellationToken) is null)
            await setup.CreateAsync(stallId, "sepay", SePay.ModeApiKey, admin, cancellationToken);
    }

    private static async Task<long> AdminAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var connection = await services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<long>(new CommandDefinition("SELECT id FROM users WHERE phone = '0900000001'",
            cancellationToken: cancellationToken));
    }
}
