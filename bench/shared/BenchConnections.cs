using Cho40.Db;
using Cho40.Jobs.Infrastructure;
using Cho40.Jobs.Payments;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Bench;

/// <summary>
/// The bank connections a benchmark delivers through (issue 14: no global secret any more; each account is watched by a
/// connection with its own address and key). Made with the platform's own classes over the key ring in PostgreSQL, so
/// the running web processes open the keys. Call it after the web process has started (it creates the key ring).
/// </summary>
public static class BenchConnections
{
    /// <summary>
    /// The owner's working SePay HMAC connection (a stall, or the platform's collection account when
    /// <paramref name="stallId"/> is null) with <paramref name="secret"/> as its key: made when missing, replacing one on
    /// another service or mode. Returns its webhook path.
    /// </summary>
    public static async Task<string> SePayHmacAsync(string connectionString, long? stallId, string secret)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNpgsqlDataSource(connectionString);
        services.AddCho40BankConnections();
        await using var provided = services.BuildServiceProvider();
        var connections = provided.GetRequiredService<BankConnections>();
        var now = DateTimeOffset.UtcNow;
        var active = await connections.ActiveAsync(stallId);
        if (active is not null && (active.Provider != "sepay" || active.AuthMode != "hmac"))
        {
            await connections.RevokeAsync(active.Id, null, now);
            active = null;
        }
        active ??= await connections.CreateAsync("sepay", stallId, "hmac", null, now)
            ?? throw new InvalidOperationException("a connection was made concurrently for the same owner");
        await provided.GetRequiredService<IntegrationSecrets>().SetAsync(BankConnections.SecretOwnerKind, active.Id, Cho40.Jobs.Payments.PaymentIntake.WebhookSecret, secret, now, TimeSpan.Zero);
        return active.WebhookPath;
    }
}
