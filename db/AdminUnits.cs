using Dapper;
using Npgsql;
using Sylvan.Data.Csv;

namespace Cho40.Db;

public sealed record Province(string Code, string Name);
public sealed record Commune(string Code, string ProvinceCode, string Name, string Kind);

/// <summary>
/// Provinces and communes (two-level units since 1 July 2025), loaded from
/// <c>db/data/admin-units-2025.csv</c> which ships next to the assembly.
/// </summary>
public sealed class AdminUnits(NpgsqlDataSource db)
{
    public static string DataFile => Path.Combine(AppContext.BaseDirectory, "data", "admin-units-2025.csv");

    private IReadOnlyList<Province>? provinces;

    /// <summary>
    /// The 34 provinces, read once per process: every shop list's filter shows them, and they change only with a
    /// reform of administrative units (a new data file and migration, so a new deployment).
    /// </summary>
    public async Task<IReadOnlyList<Province>> ProvincesAsync(CancellationToken cancellationToken = default)
    {
        if (provinces is { } known) return known;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var read = (await connection.QueryAsync<Province>(
            new CommandDefinition("SELECT code, name FROM provinces ORDER BY name COLLATE \"C\"",
            cancellationToken: cancellationToken))).AsList();
        if (read.Count > 0) provinces = read;   // not before the data file is loaded
        return read;
    }

    private IReadOnlyDictionary<string, string>? communeNames;

    /// <summary>
    /// A commune's name by its code (null when there is no code or it is unknown), from all communes read once per process, like the provinces:
    /// the product page names a product's origin on every view.
    /// </summary>
    public async Task<string?> CommuneNameAsync(string? code, CancellationToken cancellationToken = default)
    {
        if (code is null) return null;
        if (communeNames is not { } names)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            var read = (await connection.QueryAsync<(string Code, string Name)>(
                new CommandDefinition("SELECT code, name FROM communes", cancellationToken: cancellationToken)))
                .ToDictionary(c => c.Code, c => c.Name, StringComparer.Ordinal);
            names = read;
            if (read.Count > 0) communeNames = read;   // not before the data file is loaded
        }
        return names.GetValueOrDefault(code);
    }

    /// <summary>A province's name by its code (null when there is no code or it is unknown).</summary>
    public async Task<string?> ProvinceNameAsync(string? code, CancellationToken cancellationToken = default) =>
        code is null ? null : (await ProvincesAsync(cancellationToken)).FirstOrDefault(p => p.Code == code)?.Name;

    public async Task<IReadOnlyList<Commune>> CommunesAsync(string provinceCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Commune>(new CommandDefinition("""
            SELECT code, province_code AS ProvinceCode, name, kind
            FROM communes WHERE province_code = @provinceCode ORDER BY name_folded
            """, new { provinceCode }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<bool> CommuneBelongsToAsync(string communeCode, string provinceCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            new CommandDefinition("SELECT EXISTS (SELECT 1 FROM communes WHERE code = @communeCode AND province_code = @provinceCode)",
            new { communeCode, provinceCode }, cancellationToken: cancellationToken));
    }

    /// <summary>Loads the data file when the tables are empty; returns the number of communes loaded.</summary>
    public async Task<int> LoadIfEmptyAsync(string? path = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM provinces)",
            cancellationToken: cancellationToken))) return 0;

        var rows = ReadCsv(path ?? DataFile);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Web processes starting together on a new database: one loads, the others wait here and then find it loaded.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(7463841)", transaction: tx,
            cancellationToken: cancellationToken));
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM provinces)", transaction: tx,
            cancellationToken: cancellationToken))) return 0;
        var provinces = rows.Select(r => new { code = r[0], name = r[1] }).DistinctBy(p => p.code).ToList();
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO provinces (code, name) VALUES (@code, @name)", provinces, tx,
            cancellationToken: cancellationToken));

        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY communes (code, province_code, name, kind) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var r in rows.Where(r => r[2].Length > 0))
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(r[2], cancellationToken);
                await import.WriteAsync(r[0], cancellationToken);
                await import.WriteAsync(r[3], cancellationToken);
                await import.WriteAsync(r[4], cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return rows.Count(r => r[2].Length > 0);
    }

    private static List<string[]> ReadCsv(string path)
    {
        using var csv = CsvDataReader.Create(path);
        var columns = new[] { "province_code", "province_name", "commune_code", "commune_name", "commune_kind" }
            .Select(csv.GetOrdinal).ToArray();
        var result = new List<string[]>();
        while (csv.Read()) result.Add(columns.Select(c => csv.GetString(c).Trim()).ToArray());
        return result;
    }
}
