using System.Diagnostics;
using Cho40.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Cho40.Tests.Stalls;

/// <summary>People and stalls of their own for each field-conditions test (unique phones and stall numbers).</summary>
public static class FieldTestData
{
    private static readonly PasswordHasher<object> Hasher = new();
    private static int next = Random.Shared.Next(1_000_000);

    public const string Password = "mat-khau-123";

    /// <summary>"09" + 8 digits, unique in this test run.</summary>
    public static string NewPhone() => "09" + (10_000_000 + (Interlocked.Increment(ref next) * 7919L % 89_999_999)).ToString("00000000", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<long> UserAsync(Cho40App app, string phone, string name, params string[] roles)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var id = await connection.QuerySingleAsync<long>("""
            INSERT INTO users (phone, display_name, password_hash, last_signed_in_at) VALUES (@phone, @name, @hash, now()) RETURNING id
            """, new { phone, name, hash = Hasher.HashPassword(new object(), Password) });
        foreach (var role in roles)
            await connection.ExecuteAsync("INSERT INTO user_roles (user_id, role) VALUES (@id, @role)", new { id, role });
        return id;
    }

    /// <summary>A stall in the Đại Từ market with its own bank account (<paramref name="account"/>), kept by its owner.</summary>
    public static async Task<long> StallAsync(Cho40App app, long ownerId, string account, long? creatorId = null, bool withBank = true)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        var number = "T" + Interlocked.Increment(ref next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = await connection.QuerySingleAsync<long>("""
            INSERT INTO stalls (market_id, stall_number, name, goods, owner_user_id, created_by_user_id)
            SELECT id, @number, 'Rau cô Thắm', 'Rau', @ownerId, @creator FROM markets WHERE slug = 'cho-dai-tu' RETURNING id
            """, new { number, ownerId, creator = creatorId ?? ownerId });
        if (withBank)
            await connection.ExecuteAsync("""
                INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, account_holder) VALUES (@id, '970422', @account, 'NGUYEN THI THAM')
                """, new { id, account });
        return id;
    }

    /// <summary>A unique bank account number.</summary>
    public static string NewAccount() => "19" + Interlocked.Increment(ref next).ToString("000000000", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<T> ScalarAsync<T>(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        return await connection.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("no value: " + sql);
    }

    public static async Task ExecuteAsync(Cho40App app, string sql, object? args = null)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.ExecuteAsync(sql, args);
    }

    /// <summary>The text of a PDF as pdftotext reads it (an independent reader).</summary>
    public static async Task<string> PdfTextAsync(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cho40-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            var start = new ProcessStartInfo("pdftotext") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "-enc", "UTF-8", path, "-" }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
            return output;
        }
        finally { File.Delete(path); }
    }
}
