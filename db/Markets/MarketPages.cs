using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>
/// A market as its public page shows it. Opening hours are Vietnam wall-clock times as "HH:mm" (null when not given).
/// Nothing here names a person: no stallholder, phone or bank account (docs/features/markets.md "What is public").
/// </summary>
public sealed record PublicMarket(long Id, string Slug, string Name, string ProvinceCode, string ProvinceName, string? CommuneCode,
    string? CommuneName, string AddressLine, string Description, string DescriptionEn, string? OpensAt, string? ClosesAt,
    string HoursNote, string HoursNoteEn, string? PhotoSha256, DateTimeOffset? UpdatedAt);

/// <summary>A stall on the public page: its number, its trading name (the name on its sign), what it sells, whether it takes QR.</summary>
public sealed record PublicStall(string StallNumber, string Name, string Goods, bool TakesQr);

/// <summary>
/// The "chợ 4.0" badge: of the market's <paramref name="Stalls"/>, how many have a QR sign (a linked bank account) AND
/// received at least one QR transfer in the 7 Vietnam days before <paramref name="Today"/> (today excluded).
/// </summary>
public sealed record MarketBadge(int Stalls, int StallsWithSign, int StallsQrActive, DateOnly Today)
{
    /// <summary>The share in whole percent (rounded half up), 0 for a market with no stalls.</summary>
    public int Percent => Stalls == 0 ? 0 : (int)Math.Round(StallsQrActive * 100.0 / Stalls, MidpointRounding.AwayFromZero);

    public DateOnly From => Today.AddDays(-7);

    public DateOnly To => Today.AddDays(-1);
}

/// <summary>One market in the public list of markets.</summary>
public sealed record MarketListItem(string Slug, string Name, string ProvinceName, string? CommuneName, string? OpensAt, string? ClosesAt,
    int Stalls, int StallsQrActive)
{
    public int Percent => Stalls == 0 ? 0 : (int)Math.Round(StallsQrActive * 100.0 / Stalls, MidpointRounding.AwayFromZero);
}

internal sealed record BadgeRow(long MarketId, int Stalls, int WithSign, int QrActive);

/// <summary>The public market pages' reads (anonymous, cacheable): by slug, its stalls, its badge; the list of markets.</summary>
public sealed class MarketPages(NpgsqlDataSource db)
{
    private const string MarketSelect = """
        SELECT m.id, m.slug, m.name, m.province_code AS ProvinceCode, p.name AS ProvinceName, m.commune_code AS CommuneCode,
               c.name AS CommuneName, m.address_line AS AddressLine, m.description, m.description_en AS DescriptionEn,
               to_char(m.opens_at, 'HH24:MI') AS OpensAt, to_char(m.closes_at, 'HH24:MI') AS ClosesAt,
               m.hours_note AS HoursNote, m.hours_note_en AS HoursNoteEn, m.photo_sha256 AS PhotoSha256, m.updated_at AS UpdatedAt
        FROM markets m
        JOIN provinces p ON p.code = m.province_code
        LEFT JOIN communes c ON c.code = m.commune_code
        """;

    /// <summary>
    /// Stalls with a sign and a QR transfer in [today − 7, today) Vietnam days, per market. The day window is the same for
    /// every request of a day, so the page can be cached.
    /// </summary>
    private const string QrActiveStalls = """
        SELECT s.market_id AS MarketId, count(*)::int AS Stalls, count(b.stall_id)::int AS WithSign,
               (count(*) FILTER (WHERE b.stall_id IS NOT NULL AND EXISTS (
                   SELECT 1 FROM stall_payments p
                   WHERE p.stall_id = s.id AND p.method = 'qr' AND p.occurred_at >= @from AND p.occurred_at < @to)))::int AS QrActive
        FROM stalls s LEFT JOIN stall_bank_accounts b ON b.stall_id = s.id
        """;

    public async Task<PublicMarket?> BySlugAsync(string slug, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PublicMarket>(new CommandDefinition(MarketSelect + " WHERE m.slug = @slug",
            new { slug }, cancellationToken: cancellationToken));
    }

    public async Task<PublicMarket?> ByIdAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PublicMarket>(new CommandDefinition(MarketSelect + " WHERE m.id = @id",
            new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Every stall of the market in stall-number order (numbers sort naturally: A2 before A10).</summary>
    public async Task<IReadOnlyList<PublicStall>> StallsAsync(long marketId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<PublicStall>(new CommandDefinition("""
            SELECT s.stall_number AS StallNumber, s.name, s.goods, b.stall_id IS NOT NULL AS TakesQr
            FROM stalls s LEFT JOIN stall_bank_accounts b ON b.stall_id = s.id
            WHERE s.market_id = @marketId
            ORDER BY substring(s.stall_number from '^\D*'), nullif(substring(s.stall_number from '\d+'), '')::numeric NULLS FIRST, s.stall_number
            """, new { marketId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<MarketBadge> BadgeAsync(long marketId, DateOnly today, CancellationToken cancellationToken = default)
    {
        var (from, to) = Window(today);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<BadgeRow>(new CommandDefinition(
            QrActiveStalls + " WHERE s.market_id = @marketId GROUP BY s.market_id", new { marketId, from, to },
            cancellationToken: cancellationToken));
        return new MarketBadge(row?.Stalls ?? 0, row?.WithSign ?? 0, row?.QrActive ?? 0, today);
    }

    /// <summary>Every market, by province then name, with its badge figures.</summary>
    public async Task<IReadOnlyList<MarketListItem>> ListAsync(DateOnly today, CancellationToken cancellationToken = default)
    {
        var (from, to) = Window(today);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<MarketListItem>(new CommandDefinition($"""
            WITH badge AS ({QrActiveStalls} GROUP BY s.market_id)
            SELECT m.slug, m.name, p.name AS ProvinceName, c.name AS CommuneName,
                   to_char(m.opens_at, 'HH24:MI') AS OpensAt, to_char(m.closes_at, 'HH24:MI') AS ClosesAt,
                   coalesce(b.stalls, 0)::int AS Stalls, coalesce(b.qractive, 0)::int AS StallsQrActive
            FROM markets m
            JOIN provinces p ON p.code = m.province_code
            LEFT JOIN communes c ON c.code = m.commune_code
            LEFT JOIN badge b ON b."marketid" = m.id
            ORDER BY p.name_folded, m.name
            """, new { from, to }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Whether a stored photo is the current photo of some market (only those are served publicly).</summary>
    public async Task<bool> IsMarketPhotoAsync(string sha256, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM markets WHERE photo_sha256 = @sha256)", new { sha256 }, cancellationToken: cancellationToken));
    }

    private static (DateTimeOffset From, DateTimeOffset To) Window(DateOnly today) =>
        (Domain.VietnamTime.DayBounds(today.AddDays(-7)).Start, Domain.VietnamTime.DayBounds(today).Start);
}
