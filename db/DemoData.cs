using System.Reflection;
using Cho40.Db.Domain;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Cho40.Db;

public sealed record DemoAccount(string Phone, string DisplayName, string Role, string Description);

/// <summary>Demo accounts (one per role) and the demo catalogue, loaded into an empty database.</summary>
public static class DemoData
{
    public const string Password = "cho40-demo";

    public static readonly IReadOnlyList<DemoAccount> Accounts =
    [
        new("0900000001", "Quản trị Chợ 4.0", Roles.Admin, "quản trị nền tảng"),
        new("0900000002", "Nguyễn Văn Quản", Roles.MarketManager, "quản lý chợ"),
        new("0900000003", "Trần Thị Chè", Roles.SellerMember, "HTX Chè Tân Cương"),
        new("0900000004", "Lê Thị Hoa", Roles.Stallholder, "tiểu thương, sạp A01"),
        new("0900000005", "Phạm Minh Số", Roles.DigitalHelper, "tổ công nghệ số cộng đồng"),
        new("0900000006", "Hoàng Văn Mua", "", "người mua"),
        new("0900000007", "Đỗ Thị Bằng", Roles.SellerMember, "HTX Chè La Bằng"),
        new("0900000008", "Vũ Thị Tỉnh", Roles.ProvinceViewer, "cán bộ tỉnh Thái Nguyên (xem số liệu)"),
    ];

    /// <summary>Seeds the demo data when there are no users yet. Returns true when it seeded.</summary>
    public static async Task<bool> SeedIfEmptyAsync(NpgsqlDataSource db, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Two processes starting together must not both seed.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(7463840)", transaction: tx,
            cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM users)", transaction: tx,
            cancellationToken: cancellationToken))) return false;

        var hasher = new PasswordHasher<object>();
        foreach (var account in Accounts)
        {
            var id = await connection.QuerySingleAsync<long>(new CommandDefinition("""
                INSERT INTO users (phone, display_name, password_hash) VALUES (@Phone, @DisplayName, @hash) RETURNING id
                """, new { account.Phone, account.DisplayName, hash = hasher.HashPassword(account, Password) }, tx,
                cancellationToken: cancellationToken));
            if (account.Role.Length > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition("INSERT INTO user_roles (user_id, role) VALUES (@id, @Role)",
                    new { id, account.Role }, tx, cancellationToken: cancellationToken));
            }
        }
        await connection.ExecuteAsync(new CommandDefinition(ReadSeedScript("demo.sql"), transaction: tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(ReadSeedScript("demo-trace.sql"), transaction: tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(ReadSeedScript("demo-orders.sql"), transaction: tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(ReadSeedScript("demo-sales.sql"), transaction: tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(ReadSeedScript("demo-markets.sql"), transaction: tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    private static string ReadSeedScript(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("seed/" + name)
            ?? throw new InvalidOperationException($"seed/{name} is not embedded in Cho40.Db");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
