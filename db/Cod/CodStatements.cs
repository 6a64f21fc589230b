using Cho40.Db.Domain;
using System.Security.Cryptography;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Cho40.Db;

public enum CodImportStatus { Imported, Rejected, AlreadyUploaded }

public sealed record CodImportResult(CodImportStatus Status, long? StatementId, int Lines, int DuplicateLines, IReadOnlyList<string> Errors);

public sealed record CodStatement(long Id, string Carrier, string Format, string FileName, DateOnly? PeriodFrom, DateOnly? PeriodTo,
    int LineCount, int DuplicateLineCount, long TotalCodVnd, DateTimeOffset UploadedAt, DateTimeOffset? ReconciledAt,
    int NeedsDecision);

public sealed record CodLine(long Id, long StatementId, int RowNumber, string Carrier, string TrackingCode, string? OrderCode,
    long CodVnd, long ShippingFeeVnd, long CodFeeVnd, long ReturnFeeVnd, string Status, DateOnly? DeliveredOn, DateOnly? RemittedOn,
    long? DuplicateOf, string Outcome, long? OrderId, string? MatchedOrderCode, long? ExpectedCodVnd, string? Decision,
    long? DecisionCodVnd, string? DecisionReason, DateTimeOffset? DecidedAt, long? SettledRunId);

/// <summary>
/// Carriers' COD statements: upload (parse, reject with every problem, recognise a repeat, binary COPY into a
/// staging table then one INSERT … SELECT), the admin's list and detail, and the admin's decisions on lines.
/// Reconciliation itself is <see cref="CodReconciliation"/>.
/// </summary>
public sealed class CodStatements(NpgsqlDataSource db)
{
    public const int MaxFileBytes = 20 * 1024 * 1024;

    public static readonly string[] Carriers = ["GHN", "GHTK", "Viettel Post", "VNPost", "J&T Express", "Ninja Van"];

    /// <summary>
    /// Reads, checks and stores one statement. <paramref name="limits"/> bound the reading (default
    /// <see cref="CodStatementFormats.Limits"/>); cancelling stops the reading as well as the database work.
    /// </summary>
    public async Task<CodImportResult> ImportAsync(string carrier, string fileName, byte[] content, long? userId, DateTimeOffset now,
        CancellationToken cancellationToken = default, SpreadsheetLimits? limits = null)
    {
        var sha = SHA256.HashData(content);
        await using (var lookup = await db.OpenConnectionAsync(cancellationToken))
        {
            var existing = await lookup.QuerySingleOrDefaultAsync<long?>(
                new CommandDefinition("SELECT id FROM cod_statements WHERE content_sha256 = @sha", new { sha },
                cancellationToken: cancellationToken));
            if (existing is not null) return new(CodImportStatus.AlreadyUploaded, existing, 0, 0, []);
        }

        // Read without holding a connection: reading a large file takes seconds.
        var parsed = CodStatementFormats.Parse(content, carrier, limits, cancellationToken);
        if (parsed.Errors.Count > 0) return new(CodImportStatus.Rejected, null, 0, 0, parsed.Errors);

        await using var connection = await db.OpenConnectionAsync(cancellationToken);

        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var lines = parsed.Lines;
        var dates = lines.Select(l => l.RemittedOn ?? l.DeliveredOn).Where(d => d is not null).Select(d => d!.Value).ToList();
        // Two admins uploading the same file at once: the second waits here, then finds the first's row.
        var statementId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO cod_statements (carrier, format, file_name, content_sha256, period_from, period_to, uploaded_by, uploaded_at)
            VALUES (@carrier, @format, @fileName, @sha, @from, @to, @userId, @now)
            ON CONFLICT (content_sha256) DO NOTHING
            RETURNING id
            """, new
        {
            carrier, format = parsed.Format!.Name, fileName = Path.GetFileName(fileName), sha,
            from = dates.Count > 0 ? dates.Min() : (DateOnly?)null, to = dates.Count > 0 ? dates.Max() : (DateOnly?)null, userId, now,
        }, tx, cancellationToken: cancellationToken));
        if (statementId is null)
        {
            await tx.RollbackAsync(cancellationToken);
            var id = await connection.QuerySingleAsync<long>(
                new CommandDefinition("SELECT id FROM cod_statements WHERE content_sha256 = @sha", new { sha },
                cancellationToken: cancellationToken));
            return new(CodImportStatus.AlreadyUploaded, id, 0, 0, []);
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE cod_staging (
                row_number int, tracking_code text, order_code text, cod_vnd bigint, shipping_fee_vnd bigint, cod_fee_vnd bigint,
                return_fee_vnd bigint, status text, delivered_on date, remitted_on date) ON COMMIT DROP
            """, transaction: tx, cancellationToken: cancellationToken));
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY cod_staging (row_number, tracking_code, order_code, cod_vnd, shipping_fee_vnd, cod_fee_vnd, return_fee_vnd, status,
                              delivered_on, remitted_on) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var l in lines)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(l.RowNumber, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(l.TrackingCode, NpgsqlDbType.Text, cancellationToken);
                if (l.OrderCode is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(l.OrderCode, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(l.CodVnd, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(l.ShippingFeeVnd, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(l.CodFeeVnd, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(l.ReturnFeeVnd, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(l.Status, NpgsqlDbType.Text, cancellationToken);
                if (l.DeliveredOn is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(l.DeliveredOn.Value, NpgsqlDbType.Date, cancellationToken);
                if (l.RemittedOn is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(l.RemittedOn.Value, NpgsqlDbType.Date, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        // One set-based statement: a shipment an earlier statement already listed is stored as a duplicate of that line.
        var counts = await connection.QuerySingleAsync<(int Lines, int Duplicates, long Cod)>(new CommandDefinition("""
            WITH inserted AS (
                INSERT INTO cod_statement_lines (statement_id, row_number, carrier, tracking_code, order_code, cod_vnd, shipping_fee_vnd,
                                                 cod_fee_vnd, return_fee_vnd, status, delivered_on, remitted_on, duplicate_of, outcome)
                SELECT @statementId, s.row_number, @carrier, s.tracking_code, s.order_code, s.cod_vnd, s.shipping_fee_vnd, s.cod_fee_vnd,
                       s.return_fee_vnd, s.status, s.delivered_on, s.remitted_on, d.id,
                       CASE WHEN d.id IS NULL THEN 'pending' ELSE 'duplicate' END
                FROM cod_staging s
                LEFT JOIN cod_statement_lines d ON d.carrier = @carrier AND d.tracking_code = s.tracking_code AND d.duplicate_of IS NULL
                ORDER BY s.row_number
                RETURNING duplicate_of, cod_vnd
            )
            SELECT count(*)::int, count(duplicate_of)::int, coalesce(sum(cod_vnd) FILTER (WHERE duplicate_of IS NULL), 0)::bigint
            FROM inserted
            """, new { statementId, carrier }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE cod_statements SET line_count = @Lines, duplicate_line_count = @Duplicates, total_cod_vnd = @Cod WHERE id = @statementId
            """, new { counts.Lines, counts.Duplicates, counts.Cod, statementId }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new(CodImportStatus.Imported, statementId, counts.Lines, counts.Duplicates, []);
    }

    private const string StatementColumns = """
        s.id, s.carrier, s.format, s.file_name AS FileName, s.period_from AS PeriodFrom, s.period_to AS PeriodTo,
        s.line_count AS LineCount, s.duplicate_line_count AS DuplicateLineCount, s.total_cod_vnd AS TotalCodVnd,
        s.uploaded_at AS UploadedAt, s.reconciled_at AS ReconciledAt,
        (SELECT count(*)::int FROM cod_statement_lines l WHERE l.statement_id = s.id AND l.decision IS NULL
           AND l.outcome IN ('amount_mismatch', 'unknown_order', 'lost')) AS NeedsDecision
        """;

    public async Task<IReadOnlyList<CodStatement>> ListAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CodStatement>(
            new CommandDefinition($"SELECT {StatementColumns} FROM cod_statements s ORDER BY s.id DESC LIMIT @limit", new { limit },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<CodStatement?> FindAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CodStatement>(
            new CommandDefinition($"SELECT {StatementColumns} FROM cod_statements s WHERE s.id = @id", new { id },
            cancellationToken: cancellationToken));
    }

    private const string LineColumns = """
        l.id, l.statement_id AS StatementId, l.row_number AS RowNumber, l.carrier, l.tracking_code AS TrackingCode,
        l.order_code AS OrderCode, l.cod_vnd AS CodVnd, l.shipping_fee_vnd AS ShippingFeeVnd, l.cod_fee_vnd AS CodFeeVnd,
        l.return_fee_vnd AS ReturnFeeVnd, l.status, l.delivered_on AS DeliveredOn, l.remitted_on AS RemittedOn,
        l.duplicate_of AS DuplicateOf, l.outcome, l.order_id AS OrderId, o.code AS MatchedOrderCode, l.expected_cod_vnd AS ExpectedCodVnd,
        l.decision, l.decision_cod_vnd AS DecisionCodVnd, l.decision_reason AS DecisionReason, l.decided_at AS DecidedAt,
        l.settled_run_id AS SettledRunId
        """;

    public async Task<IReadOnlyList<CodLine>> LinesAsync(long statementId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CodLine>(new CommandDefinition($"""
            SELECT {LineColumns} FROM cod_statement_lines l LEFT JOIN orders o ON o.id = l.order_id
            WHERE l.statement_id = @statementId ORDER BY l.row_number
            """, new { statementId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Lines waiting for an admin: amount mismatches, unknown orders and lost shipments without a decision.</summary>
    public async Task<IReadOnlyList<CodLine>> NeedingDecisionAsync(int limit = 200, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CodLine>(new CommandDefinition($"""
            SELECT {LineColumns} FROM cod_statement_lines l LEFT JOIN orders o ON o.id = l.order_id
            WHERE l.decision IS NULL AND l.outcome IN ('amount_mismatch', 'unknown_order', 'lost')
            ORDER BY l.statement_id, l.row_number LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<CodLine?> LineAsync(long lineId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CodLine>(new CommandDefinition($"""
            SELECT {LineColumns} FROM cod_statement_lines l LEFT JOIN orders o ON o.id = l.order_id WHERE l.id = @lineId
            """, new { lineId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// An admin decides a line that needs it: accept the carrier's figure, adjust it to another amount, or dispute it
    /// (held out of settlement). Guarded: only an undecided, unsettled line that needs a decision changes. A line
    /// without an order (unknown) can only be disputed or accepted as "not ours" (it is then never paid to a seller).
    /// </summary>
    public async Task<bool> DecideAsync(long lineId, string decision, long? adjustedCodVnd, string reason, long userId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        if (decision is not ("accept" or "adjust" or "dispute")) throw new ArgumentException("decision", nameof(decision));
        if (decision == "adjust" && adjustedCodVnd is null or < 0) throw new ArgumentException("an adjustment needs an amount");
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE cod_statement_lines
            SET decision = @decision, decision_cod_vnd = @amount, decision_reason = @reason, decided_by = @userId, decided_at = @now,
                ready_at = CASE WHEN @decision IN ('accept', 'adjust') AND order_id IS NOT NULL THEN @now END
            WHERE id = @lineId AND decision IS NULL AND settled_run_id IS NULL
              AND outcome IN ('amount_mismatch', 'unknown_order', 'lost')
              AND NOT (@decision = 'adjust' AND order_id IS NULL)
            """, new { lineId, decision, amount = decision == "adjust" ? adjustedCodVnd : null, reason = reason.Trim(), userId, now },
            cancellationToken: cancellationToken));
        return changed == 1;
    }
}
