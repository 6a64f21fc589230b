using System.Diagnostics;
using System.Text.Json;
using Cho40.Db.Domain;
using Dapper;
using Npgsql;

namespace Cho40.Db;

public static class ReportScopes
{
    public const string Stall = "stall";
    public const string Seller = "seller";
    public const string Market = "market";

    public static bool IsKnown(string? kind) => kind is Stall or Seller or Market;
}

/// <summary>A stored daily report of one stall, seller or market (immutable once stored).</summary>
public sealed record DailyReport(long Id, string ScopeKind, long ScopeId, DateOnly ReportDay, DateTimeOffset ComputedAt,
    int CashCount, long CashVnd, int QrCount, long QrVnd, int CodCount, long CodVnd, int TotalCount, long TotalVnd,
    int CancelledCount, int ShortCount, int? CashlessShareBp, long? PreviousDayVnd, long? Avg7Vnd, int Avg7Days,
    int LateCount, long LateVnd, string Top)
{
    /// <summary>Top products (a seller) or top stalls (a market), best first.</summary>
    public IReadOnlyList<ReportTopItem> TopItems =>
        JsonSerializer.Deserialize<List<ReportTopItem>>(Top, JsonOptions) ?? [];

    /// <summary>Change against the previous day's stored report, in percent (null when there is none or it was 0).</summary>
    public double? ChangeVsPreviousDayPercent => Percent(TotalVnd, PreviousDayVnd);

    /// <summary>Change against the average of the stored reports of the 7 days before, in percent.</summary>
    public double? ChangeVsAvg7Percent => Percent(TotalVnd, Avg7Vnd);

    public double? CashlessSharePercent => CashlessShareBp / 100.0;

    private static double? Percent(long now, long? before) =>
        before is > 0 ? Math.Round((now - before.Value) * 100.0 / before.Value, 1) : null;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

public sealed record ReportTopItem(long Id, string Name, string? Unit, long Quantity, long Vnd);

/// <summary>A stall payment counted late: its own (earlier) day, when it happened and when we learnt of it.</summary>
public sealed record ReportLateItem(long StallPaymentId, DateOnly OriginalDay, string Method, long AmountVnd,
    DateTimeOffset OccurredAt, DateTimeOffset RecordedAt, string? StallLabel, string Kind = "arrival")
{
    /// <summary>A void of a payment an issued report had counted (its amount is negative; RecordedAt is the void's time).</summary>
    public bool IsVoid => Kind == "void";
}

/// <summary>One report in the admin overview: the scope's name next to its figures.</summary>
public sealed record ReportOverviewRow(string ScopeKind, long ScopeId, string Name, long CashVnd, long QrVnd, long CodVnd,
    long TotalVnd, int TotalCount, int? CashlessShareBp, long? PreviousDayVnd, int LateCount);

public sealed record ReportDayInfo(DateOnly ReportDay, DateTimeOffset ComputedAt, DateTimeOffset? PreviousCutoff, int ScopeCount,
    int LateCount, int DurationMs);

public enum ReportDayOutcome { Computed, AlreadyComputed }

public sealed record ReportDayResult(DateOnly Day, ReportDayOutcome Outcome, int Scopes, int LateItems, long DurationMs);

public sealed record ReportBackfill(long Id, DateOnly FromDay, DateOnly ToDay, DateTimeOffset RequestedAt, string? RequestedBy,
    int Total, int Done, int Failed, int Running)
{
    public bool Finished => Done == Total;
}

public sealed record ReportBackfillDay(DateOnly ReportDay, string? JobId, string Status, string? Error, DateTimeOffset? FinishedAt);

/// <summary>Reading stored reports: one scope's day or range, the days it has, late items, the admin overview.</summary>
public sealed class ReportQueries(NpgsqlDataSource db)
{
    private const string ReportSelect = """
        SELECT id, scope_kind AS ScopeKind, scope_id AS ScopeId, report_day AS ReportDay, computed_at AS ComputedAt,
               cash_count AS CashCount, cash_vnd AS CashVnd, qr_count AS QrCount, qr_vnd AS QrVnd, cod_count AS CodCount,
               cod_vnd AS CodVnd, total_count AS TotalCount, total_vnd AS TotalVnd, cancelled_count AS CancelledCount,
               short_count AS ShortCount, cashless_share_bp AS CashlessShareBp, previous_day_vnd AS PreviousDayVnd,
               avg7_vnd AS Avg7Vnd, avg7_days AS Avg7Days, late_count AS LateCount, late_vnd AS LateVnd, top::text AS Top
        FROM daily_reports
        """;

    public async Task<ReportDayInfo?> DayInfoAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ReportDayInfo>(new CommandDefinition("""
            SELECT report_day AS ReportDay, computed_at AS ComputedAt, previous_cutoff AS PreviousCutoff, scope_count AS ScopeCount,
                   late_count AS LateCount, duration_ms AS DurationMs
            FROM daily_report_days WHERE report_day = @day
            """, new { day }, cancellationToken: cancellationToken));
    }

    /// <summary>The scope's report of <paramref name="day"/>, or its latest report when no day is given.</summary>
    public async Task<DailyReport?> FindAsync(string scopeKind, long scopeId, DateOnly? day, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DailyReport>(new CommandDefinition(ReportSelect + """
             WHERE scope_kind = @scopeKind AND scope_id = @scopeId AND (@day::date IS NULL OR report_day = @day::date)
             ORDER BY report_day DESC LIMIT 1
            """, new { scopeKind, scopeId, day }, cancellationToken: cancellationToken));
    }

    /// <summary>The scope's stored reports in [from, to], oldest first.</summary>
    public async Task<IReadOnlyList<DailyReport>> RangeAsync(string scopeKind, long scopeId, DateOnly from, DateOnly to,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DailyReport>(new CommandDefinition(ReportSelect + """
             WHERE scope_kind = @scopeKind AND scope_id = @scopeId AND report_day BETWEEN @from AND @to
             ORDER BY report_day
            """, new { scopeKind, scopeId, from, to }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Days that have a stored report for the scope, newest first (for the day picker).</summary>
    public async Task<IReadOnlyList<DateOnly>> DaysAsync(string scopeKind, long scopeId, int limit = 62,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DateOnly>(new CommandDefinition("""
            SELECT report_day FROM daily_reports WHERE scope_kind = @scopeKind AND scope_id = @scopeId
            ORDER BY report_day DESC LIMIT @limit
            """, new { scopeKind, scopeId, limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<ReportLateItem>> LateItemsAsync(long reportId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ReportLateItem>(new CommandDefinition("""
            SELECT l.stall_payment_id AS StallPaymentId, l.original_day AS OriginalDay, l.method, l.amount_vnd AS AmountVnd,
                   l.occurred_at AS OccurredAt, l.recorded_at AS RecordedAt, s.stall_number || ' · ' || s.name AS StallLabel, l.kind
            FROM daily_report_late_items l
            JOIN stall_payments p ON p.id = l.stall_payment_id
            JOIN stalls s ON s.id = p.stall_id
            WHERE l.report_id = @reportId
            ORDER BY l.original_day, l.occurred_at, l.stall_payment_id
            """, new { reportId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Every market's and seller's report of a day with its name (the admin overview).</summary>
    public async Task<IReadOnlyList<ReportOverviewRow>> OverviewAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ReportOverviewRow>(new CommandDefinition("""
            SELECT r.scope_kind AS ScopeKind, r.scope_id AS ScopeId, coalesce(m.name, se.name, '#' || r.scope_id) AS Name,
                   r.cash_vnd AS CashVnd, r.qr_vnd AS QrVnd, r.cod_vnd AS CodVnd, r.total_vnd AS TotalVnd, r.total_count AS TotalCount,
                   r.cashless_share_bp AS CashlessShareBp, r.previous_day_vnd AS PreviousDayVnd, r.late_count AS LateCount
            FROM daily_reports r
            LEFT JOIN markets m ON r.scope_kind = 'market' AND m.id = r.scope_id
            LEFT JOIN sellers se ON r.scope_kind = 'seller' AND se.id = r.scope_id
            WHERE r.report_day = @day AND r.scope_kind IN ('market', 'seller')
            ORDER BY r.scope_kind, r.total_vnd DESC, 3
            """, new { day }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The latest computed days, newest first.</summary>
    public async Task<IReadOnlyList<ReportDayInfo>> RecentDaysAsync(int limit = 14, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ReportDayInfo>(new CommandDefinition("""
            SELECT report_day AS ReportDay, computed_at AS ComputedAt, previous_cutoff AS PreviousCutoff, scope_count AS ScopeCount,
                   late_count AS LateCount, duration_ms AS DurationMs
            FROM daily_report_days ORDER BY report_day DESC LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>A scope's display name (stall: "market · number · name").</summary>
    public async Task<string?> ScopeNameAsync(string scopeKind, long scopeId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT CASE @scopeKind
                     WHEN 'stall' THEN (SELECT m.name || ' · ' || s.stall_number || ' · ' || s.name FROM stalls s
                                        JOIN markets m ON m.id = s.market_id WHERE s.id = @scopeId)
                     WHEN 'seller' THEN (SELECT name FROM sellers WHERE id = @scopeId)
                     WHEN 'market' THEN (SELECT name FROM markets WHERE id = @scopeId)
                   END
            """, new { scopeKind, scopeId }, cancellationToken: cancellationToken));
    }
}
