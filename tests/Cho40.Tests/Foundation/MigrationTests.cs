using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Dapper;
using Npgsql;

namespace Cho40.Tests.Foundation;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_database_and_a_second_run_does_nothing()
    {
        var connectionString = await TestDatabase.CreateEmptyAsync();
        try
        {
            var applied = await Migrator.MigrateAsync(connectionString);
            Assert.Contains(applied, name => name.EndsWith("0001_foundation.sql", StringComparison.Ordinal));

            await using var connection = new NpgsqlConnection(connectionString);
            var tables = (await connection.QueryAsync<string>(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).ToHashSet();
            foreach (var table in new[] { "users", "user_roles", "markets", "stalls", "sellers", "seller_members",
                         "categories", "products", "product_images", "provinces", "communes" })
            {
                Assert.Contains(table, tables);
            }

            Assert.Empty(await Migrator.MigrateAsync(connectionString));
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }

    [Fact]
    public async Task Several_processes_migrating_at_once_apply_each_script_exactly_once()
    {
        var connectionString = await TestDatabase.CreateEmptyAsync();
        try
        {
            // Each call takes its own connections, exactly like separate processes would.
            var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator.MigrateAsync(connectionString))));

            var totalApplied = runs.Sum(r => r.Count);
            await using var connection = new NpgsqlConnection(connectionString);
            var journal = (await connection.QueryAsync<string>("SELECT scriptname FROM schema_migrations")).ToList();
            Assert.Equal(journal.Count, totalApplied);
            Assert.Equal(journal.Count, journal.Distinct().Count());
            Assert.Single(runs, r => r.Count > 0);
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }

    [Fact]
    public async Task Administrative_units_of_2025_are_loaded_with_Thai_Nguyen_and_Tan_Cuong()
    {
        var connectionString = await TestDatabase.CreateAsync();
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            Assert.Equal(34, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM provinces"));
            Assert.True(await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM communes") > 3000);
            var tanCuong = await connection.QuerySingleAsync<string>("""
                SELECT c.name FROM communes c JOIN provinces p ON p.code = c.province_code
                WHERE p.name = 'Thái Nguyên' AND c.name_folded = 'xa tan cuong'
                """);
            Assert.Equal("Xã Tân Cương", tanCuong);
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }
}
