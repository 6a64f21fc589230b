using Cho40.Db;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace Cho40.Tests.Infrastructure;

/// <summary>
/// Real PostgreSQL databases for tests. <c>./cho40 test</c> starts a throwaway cluster and sets
/// CHO40_TEST_PG. Two templates are built once per run — migrated, and migrated + demo data — and
/// each test class clones the one it needs (CREATE DATABASE … TEMPLATE …), which takes milliseconds.
/// </summary>
public static class TestDatabase
{
    private static readonly SemaphoreSlim CloneLock = new(1, 1);
    private static readonly string RunId = $"{Environment.ProcessId}_{Guid.NewGuid():N}"[..16];
    private static readonly Lazy<Task<string>> MigratedTemplate = new(() => BuildTemplateAsync("migrated", seedDemo: false));
    private static readonly Lazy<Task<string>> DemoTemplate = new(() => BuildTemplateAsync("demo", seedDemo: true));

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CHO40_TEST_PG")
        ?? throw new InvalidOperationException("CHO40_TEST_PG is not set: run the tests with ./cho40 test");

    /// <summary>A fresh, migrated database with the administrative units loaded; demo data on request.</summary>
    public static async Task<string> CreateAsync(bool withDemoData = false)
    {
        var template = await (withDemoData ? DemoTemplate : MigratedTemplate).Value;
        var name = $"t_{RunId}_{Guid.NewGuid():N}"[..40];
        await CloneLock.WaitAsync();
        try
        {
            await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        }
        finally
        {
            CloneLock.Release();
        }
        return ConnectionStringFor(name);
    }

    /// <summary>An empty database (not migrated), for migration tests.</summary>
    public static async Task<string> CreateEmptyAsync()
    {
        var name = $"e_{RunId}_{Guid.NewGuid():N}"[..40];
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        return ConnectionStringFor(name);
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    public static string ConnectionStringFor(string database, bool pooling = true) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database, Pooling = pooling }.ConnectionString;

    public static async Task ExecuteOnServerAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> BuildTemplateAsync(string kind, bool seedDemo)
    {
        var name = $"tpl_{kind}_{RunId}";
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        // No pooling: a template must have no open connections when it is cloned.
        var connectionString = ConnectionStringFor(name, pooling: false);
        await Migrator.MigrateAsync(connectionString);
        await using (var db = NpgsqlDataSource.Create(connectionString))
        {
            await new AdminUnits(db).LoadIfEmptyAsync();
            if (seedDemo) await DemoData.SeedIfEmptyAsync(db);
        }
        // Hangfire's schema too, so that apps under test start without installing it.
        _ = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, new PostgreSqlStorageOptions { SchemaName = "hangfire" }),
            new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true });
        return name;
    }
}
