using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Cho40.Db;

/// <summary>One row of <c>province_stats</c> with the names of its place. Seller figures are null on market rows.</summary>
public sealed record ProvinceStat
{
    public string PeriodKind { get; init; } = "";
    public DateOnly PeriodStart { get; init; }
    public DateOnly PeriodEnd { get; init; }
    public int DaysReported { get; init; }
    public string ScopeKind { get; init; } = "";
    public string ScopeKey { get; init; } = "";
    public string ProvinceCode { get; init; } = "";
    public string ProvinceName { get; init; } = "";
    public string? CommuneCode { get; init; }
    public string? CommuneName { get; init; }
    public long? MarketId { get; init; }
    public string? MarketName { get; init; }
    public string? MarketSlug { get; init; }
    public int Markets { get; init; }
    public int Stalls { get; init; }
    public int StallsQrSign { get; init; }
    public int StallsActive { get; init; }
    public int StallsPaidQr { get; init; }
    public int StallsPaidCash { get; init; }
    public long PaymentsQr { get; init; }
    public long PaymentsCash { get; init; }
    public long TakingsQrVnd { get; init; }
    public long TakingsCashVnd { get; init; }
    public int? SellersOnline { get; init; }
    public int? ProductsOnline { get; init; }
    public int? SellersTraceable { get; init; }
    public int? ProductsTraceable { get; init; }
    public int? SellersScanned { get; init; }
    public long? TraceScans { get; init; }
    public int? SellersWithOrders { get; init; }
    public int? Orders { get; init; }
    public long? OrdersVnd { get; init; }
    public int? SellersWithCod { get; init; }
    public int? CodOrders { get; init; }
    public long? CodVnd { get; init; }

    public int PeriodDays => PeriodEnd.DayNumber - PeriodStart.DayNumber;

    public bool Complete => DaysReported == PeriodDays;

    /// <summary>QR share of the stall takings (QR ÷ (QR + cash)) in basis points; null when nothing was taken.</summary>
    public int? QrShareBp => TakingsQrVnd + TakingsCashVnd == 0
        ? null : (int)Math.Round(TakingsQrVnd * 10000.0 / (TakingsQrVnd + TakingsCashVnd), MidpointRounding.AwayFromZero);
}

public sealed record ProvinceMarket(long Id, string ProvinceCode, string Name, string Slug, string? CommuneName);

public sealed record ProvinceRefresh(DateTimeOffset RefreshedAt, DateOnly? FirstDay, DateOnly? LastDay, int RowCount, int DurationMs);

public sealed record ProvincePeriod(DateOnly Start, DateOnly End, int DaysReported)
{
    public bool Complete => DaysReported == End.DayNumber - Start.DayNumber;
}

/// <summary>Who is asking (the provinces they may see) and which rebuild of the aggregates is current: one round trip.</summary>
public sealed record ProvinceViewer(IReadOnlyList<Province> Provinces, ProvinceRefresh? Refresh);

/// <summary>
/// The province dashboard's and the open data's reads: indexed lookups in <c>province_stats</c>, nothing computed. The rows
/// of a province change only when the aggregates are rebuilt (nightly), so <see cref="ProvinceRowsAsync"/> keeps them in
/// memory per rebuild: a dashboard request is then one round trip for who is asking, and rendering.
/// </summary>
public sealed class ProvinceQueries(NpgsqlDataSource db)
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    public async Task<ProvinceViewer> ViewerAsync(long userId, bool isAdmin, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition($"""
            {VisibleProvincesSql};
            SELECT refreshed_at AS RefreshedAt, first_day AS FirstDay, last_day AS LastDay, row_count AS RowCount, duration_ms AS DurationMs
            FROM province_refreshes ORDER BY id DESC LIMIT 1;
            """, new { userId, isAdmin }, cancellationToken: cancellationToken));
        var provinces = (await results.ReadAsync<Province>()).AsList();
        return new ProvinceViewer(provinces, await results.ReadSingleOrDefaultAsync<ProvinceRefresh>());
    }

    /// <summary>Every row (province, communes, markets; every period) of one province and period kind, as of a rebuild.</summary>
    public async Task<IReadOnlyList<ProvinceStat>> ProvinceRowsAsync(string provinceCode, string kind, ProvinceRefresh? refresh,
        CancellationToken cancellationToken = default)
    {
        var key = (refresh?.RefreshedAt.UtcTicks ?? 0, provinceCode, kind);
        if (cache.TryGetValue(key, out IReadOnlyList<ProvinceStat>? rows) && rows is not null) return rows;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        rows = (await connection.QueryAsync<ProvinceStat>(new CommandDefinition(StatSelect + """
             WHERE s.province_code = @provinceCode AND s.period_kind = @kind
            """, new { provinceCode, kind }, cancellationToken: cancellationToken))).AsList();
        // Rows of an older rebuild are never asked for again: they age out.
        cache.Set(key, rows, new MemoryCacheEntryOptions { Size = Math.Max(1, rows.Count), SlidingExpiration = TimeSpan.FromHours(6) });
        return rows;
    }
    private const string StatSelect = """
        SELECT s.period_kind AS PeriodKind, s.period_start AS PeriodStart, s.period_end AS PeriodEnd, s.days_reported AS DaysReported,
               s.scope_kind AS ScopeKind, s.scope_key AS ScopeKey, s.province_code AS ProvinceCode, p.name AS ProvinceName,
               s.commune_code AS CommuneCode, c.name AS CommuneName, s.market_id AS MarketId, m.name AS MarketName, m.slug AS MarketSlug,
               s.markets, s.stalls, s.stalls_qr_sign AS StallsQrSign, s.stalls_active AS StallsActive, s.stalls_paid_qr AS StallsPaidQr, s.stalls_paid_cash AS StallsPaidCash,
               s.payments_qr AS PaymentsQr, s.payments_cash AS PaymentsCash, s.takings_qr_vnd AS TakingsQrVnd,
               s.takings_cash_vnd AS TakingsCashVnd, s.sellers_online AS SellersOnline, s.products_online AS ProductsOnline,
               s.sellers_traceable AS SellersTraceable, s.products_traceable AS ProductsTraceable, s.sellers_scanned AS SellersScanned,
               s.trace_scans AS TraceScans, s.sellers_with_orders AS SellersWithOrders, s.orders, s.orders_vnd AS OrdersVnd,
               s.sellers_with_cod AS SellersWithCod, s.cod_orders AS CodOrders, s.cod_vnd AS CodVnd
        FROM province_stats s
        JOIN provinces p ON p.code = s.province_code
        LEFT JOIN communes c ON c.code = s.commune_code
        LEFT JOIN markets m ON m.id = s.market_id
        """;

    /// <summary>The provinces a user may see: an admin every province with figures, a province viewer those linked to them.</summary>
    public async Task<IReadOnlyList<Province>> VisibleProvincesAsync(long userId, bool isAdmin, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Province>(new CommandDefinition(VisibleProvincesSql, new { userId, isAdmin },
            cancellationToken: cancellationToken))).AsList();
    }

    private const string VisibleProvincesSql = """
        SELECT p.code, p.name FROM provinces p
        WHERE CASE WHEN @isAdmin
                   THEN EXISTS (SELECT 1 FROM markets m WHERE m.province_code = p.code)
                        OR EXISTS (SELECT 1 FROM sellers s WHERE s.province_code = p.code AND s.status = 'approved')
                   ELSE EXISTS (SELECT 1 FROM province_viewers v WHERE v.user_id = @userId AND v.province_code = p.code) END
        ORDER BY p.name_folded
        """;

    public async Task<ProvinceRefresh?> LatestRefreshAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ProvinceRefresh>(new CommandDefinition("""
            SELECT refreshed_at AS RefreshedAt, first_day AS FirstDay, last_day AS LastDay, row_count AS RowCount, duration_ms AS DurationMs
            FROM province_refreshes ORDER BY id DESC LIMIT 1
            """, cancellationToken: cancellationToken));
    }

    /// <summary>The periods with figures for a province, newest first.</summary>
    public async Task<IReadOnlyList<ProvincePeriod>> PeriodsAsync(string provinceCode, string kind, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ProvincePeriod>(new CommandDefinition("""
            SELECT period_start AS Start, period_end AS "End", days_reported AS DaysReported FROM province_stats
            WHERE province_code = @provinceCode AND period_kind = @kind AND scope_kind = 'province'
            ORDER BY period_start DESC
            """, new { provinceCode, kind }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Every row of one province and period: the province, its communes, its markets.</summary>
    public async Task<IReadOnlyList<ProvinceStat>> PeriodRowsAsync(string provinceCode, string kind, DateOnly start,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ProvinceStat>(new CommandDefinition(StatSelect + """
             WHERE s.province_code = @provinceCode AND s.period_kind = @kind AND s.period_start = @start
            """, new { provinceCode, kind, start }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The province's own row for the <paramref name="count"/> periods up to <paramref name="upTo"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ProvinceStat>> ProvinceSeriesAsync(string provinceCode, string kind, DateOnly upTo, int count,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ProvinceStat>(new CommandDefinition($"""
            SELECT * FROM ({StatSelect}
                WHERE s.province_code = @provinceCode AND s.period_kind = @kind AND s.scope_kind = 'province' AND s.period_start <= @upTo
                ORDER BY s.period_start DESC LIMIT @count) x
            ORDER BY PeriodStart
            """, new { provinceCode, kind, upTo, count }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>One market's rows, oldest first (at most <paramref name="count"/> periods, the latest ones).</summary>
    public async Task<IReadOnlyList<ProvinceStat>> MarketSeriesAsync(long marketId, string kind, int count, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ProvinceStat>(new CommandDefinition($"""
            SELECT * FROM ({StatSelect}
                WHERE s.market_id = @marketId AND s.period_kind = @kind AND s.scope_kind = 'market'
                ORDER BY s.period_start DESC LIMIT @count) x
            ORDER BY PeriodStart
            """, new { marketId, kind, count }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The market's province and name, when it exists.</summary>
    public async Task<ProvinceMarket?> MarketAsync(long marketId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ProvinceMarket>(new CommandDefinition("""
            SELECT m.id, m.province_code AS ProvinceCode, m.name, m.slug, c.name AS CommuneName FROM markets m
            LEFT JOIN communes c ON c.code = m.commune_code WHERE m.id = @marketId
            """, new { marketId }, cancellationToken: cancellationToken));
    }

    /// <summary>Every row of one period kind (the open data), by period, province, scope.</summary>
    public async Task<IReadOnlyList<ProvinceStat>> AllAsync(string kind, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ProvinceStat>(new CommandDefinition(StatSelect + """
             WHERE s.period_kind = @kind
             ORDER BY s.period_start, s.province_code, CASE s.scope_kind WHEN 'province' THEN 0 WHEN 'commune' THEN 1 ELSE 2 END, s.scope_key
            """, new { kind }, cancellationToken: cancellationToken))).AsList();
    }
}
