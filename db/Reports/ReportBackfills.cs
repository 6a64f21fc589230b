using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>Backfills: an admin asks for a range of days; one job per day computes it and marks its row here.</summary>
public sealed class ReportBackfills(NpgsqlDataSource db)
{
    /// <summary>Records a backfill of [from, to] with one 'queued' row per day; the caller enqueues the jobs.</summary>
    public async Task<long> CreateBackfillAsync(DateOnly from, DateOnly to, long? userId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO report_backfills (from_day, to_day, requested_by, requested_at) VALUES (@from, @to, @userId, @now) RETURNING id
            """, new { from, to, userId, now }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO report_backfill_days (backfill_id, report_day)
            SELECT @id, g::date FROM generate_series(@from::date, @to::date, interval '1 day') g
            """, new { id, from, to }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return id;
    }

    public async Task SetBackfillJobAsync(long backfillId, DateOnly day, string jobId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE report_backfill_days SET job_id = @jobId WHERE backfill_id = @backfillId AND report_day = @day
            """, new { backfillId, day, jobId }, cancellationToken: cancellationToken));
    }

    /// <summary>Moves a backfill day on: 'running', then 'computed' / 'already' / 'failed' (with the error).</summary>
    public async Task MarkBackfillDayAsync(long backfillId, DateOnly day, string status, string? error, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE report_backfill_days
            SET status = @status, error = @error, finished_at = CASE WHEN @status = 'running' THEN NULL ELSE @now END
            WHERE backfill_id = @backfillId AND report_day = @day
            """, new { backfillId, day, status, error, now }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<ReportBackfill>> BackfillsAsync(int limit = 20, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ReportBackfill>(new CommandDefinition("""
            SELECT b.id, b.from_day AS FromDay, b.to_day AS ToDay, b.requested_at AS RequestedAt, u.display_name AS RequestedBy,
                   count(d.*)::int AS Total,
                   count(*) FILTER (WHERE d.status IN ('computed', 'already'))::int AS Done,
                   count(*) FILTER (WHERE d.status = 'failed')::int AS Failed,
                   count(*) FILTER (WHERE d.status = 'running')::int AS Running
            FROM report_backfills b
            LEFT JOIN users u ON u.id = b.requested_by
            LEFT JOIN report_backfill_days d ON d.backfill_id = b.id
            GROUP BY b.id, u.display_name
            ORDER BY b.id DESC LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<ReportBackfillDay>> BackfillDaysAsync(long backfillId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ReportBackfillDay>(new CommandDefinition("""
            SELECT report_day AS ReportDay, job_id AS JobId, status, error, finished_at AS FinishedAt
            FROM report_backfill_days WHERE backfill_id = @backfillId ORDER BY report_day
            """, new { backfillId }, cancellationToken: cancellationToken))).AsList();
    }
}
