using Cho40.Db.Domain;
using System.Security.Cryptography;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Cho40.Db;

public enum CodImportStatus { Imported, Rejected, AlreadyUploaded, NeedsMapping }

public sealed record CodImportResult(CodImportStatus Status, long? StatementId, int Lines, int DuplicateLines, IReadOnlyList<string> Errors)
{
    /// <summary>NeedsMapping: the stored file waiting for the admin to confirm its columns or status words.</summary>
    public long? UploadId { get; init; }
    public CodMappingProposal? Proposal { get; init; }
}

/// <summary>A file kept until its carrier's mapping is confirmed.</summary>
public sealed record CodUpload(long Id, string Carrier, string FileName, byte[] Content, DateTimeOffset UploadedAt);

public sealed record CodAdjustment(long Id, string Kind, string Sheet, int RowNumber, string Description, long AmountVnd);

public sealed record CodStatement(long Id, string Carrier, string Format, string FileName, DateOnly? PeriodFrom, DateOnly? PeriodTo,
    int LineCount, int DuplicateLineCount, long TotalCodVnd, DateTimeOffset UploadedAt, DateTimeOffset? ReconciledAt,
    int NeedsDecision);

public sealed record CodLine(long Id, long StatementId, int RowNumber, string Carrier, string TrackingCode, string? OrderCode,
    long CodVnd, long ShippingFeeVnd, long CodFeeVnd, long ReturnFeeVnd, string Status, DateOnly? DeliveredOn, DateOnly? RemittedOn,
    long? DuplicateOf, string Outcome, long? OrderId, string? MatchedOrderCode, long? ExpectedCodVnd, string? Decision,
    long? DecisionCodVnd, string? DecisionReason, DateTimeOffset? DecidedAt, long? SettledRunId, string? CarrierStatus = null,
    long? ReportedCodVnd = null);

/// <summary>
/// Carriers' COD statements: upload (parse, reject with every problem, recognise a repeat, one binary COPY into
/// <c>cod_statement_lines</c>), the admin's list and detail (lines read through the view <c>cod_lines</c>: the carrier's
/// line with what reconciliation found in <c>cod_line_matches</c>), and the admin's decisions on lines.
/// Reconciliation itself is <see cref="CodReconciliation"/>.
/// </summary>
public sealed class CodStatements(NpgsqlDataSource db)
{
    public const int MaxFileBytes = 20 * 1024 * 1024;

    public static readonly string[] Carriers = ["GHN", "GHTK", "Viettel Post", "VNPost", "J&T Express", "Ninja Van"];

    /// <summary>
    /// Imports a statement file, all or nothing. A file whose columns or status words this carrier has not had
    /// confirmed is kept (<see cref="CodImportStatus.NeedsMapping"/>, with its upload id and a proposal) instead of failing.
    /// </summary>
    public async Task<CodImportResult> ImportAsync(string carrier, string fileName, byte[] content, long? userId, DateTimeOffset now,
        CancellationToken cancellationToken = default, SpreadsheetLimits? limits = null)
    {
        var result = await ImportCoreAsync(carrier, fileName, content, userId, now, limits, cancellationToken);
        if (result.Status != CodImportStatus.NeedsMapping) return result;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var uploadId = await connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO cod_uploads (carrier, file_name, content, uploaded_by, uploaded_at)
            VALUES (@carrier, @fileName, @content, @userId, @now) RETURNING id
            """, new { carrier, fileName = Path.GetFileName(fileName), content, userId, now }, cancellationToken: cancellationToken));
        return result with { UploadId = uploadId };
    }

    /// <summary>Imports a kept file again (after its mapping was confirmed); the kept copy is removed once imported or already there.</summary>
    public async Task<CodImportResult?> ImportUploadAsync(long uploadId, long? userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var upload = await UploadAsync(uploadId, cancellationToken);
        if (upload is null) return null;
        var result = await ImportCoreAsync(upload.Carrier, upload.FileName, upload.Content, userId, now, null, cancellationToken);
        if (result.Status is CodImportStatus.Imported or CodImportStatus.AlreadyUploaded)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM cod_uploads WHERE id = @uploadId", new { uploadId },
                cancellationToken: cancellationToken));
        }
        return result with { UploadId = uploadId };
    }

    public async Task<CodUpload?> UploadAsync(long uploadId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CodUpload>(new CommandDefinition("""
            SELECT id, carrier, file_name AS FileName, content, uploaded_at AS UploadedAt FROM cod_uploads WHERE id = @uploadId
            """, new { uploadId }, cancellationToken: cancellationToken));
    }

    public async Task<bool> DiscardUploadAsync(long uploadId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM cod_uploads WHERE id = @uploadId", new { uploadId },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Statements with a partial-delivery line of the order that waited for its returned items to be recorded.</summary>
    public async Task<IReadOnlyList<long>> StatementsAwaitingReturnAsync(long orderId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition("""
            SELECT DISTINCT statement_id FROM cod_line_matches WHERE order_id = @orderId AND outcome = 'awaiting_return'
            """, new { orderId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>What an admin confirmed for a carrier (empty when nothing yet).</summary>
    public async Task<CodCarrierSettings> SettingsAsync(string carrier, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var headers = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT headers::text FROM cod_carrier_mappings WHERE carrier = @carrier", new { carrier }, cancellationToken: cancellationToken));
        var words = (await connection.QueryAsync<(string Word, string Status)>(new CommandDefinition(
            "SELECT word, status FROM cod_status_words WHERE carrier = @carrier", new { carrier }, cancellationToken: cancellationToken)))
            .ToDictionary(w => w.Word, w => w.Status, StringComparer.Ordinal);
        var map = headers is null
            ? new Dictionary<CodField, string>()
            : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(headers)!
                .Where(p => Enum.TryParse<CodField>(p.Key, out _)).ToDictionary(p => Enum.Parse<CodField>(p.Key), p => p.Value);
        return new(map, words);
    }

    /// <summary>
    /// Saves a carrier's column mapping (header text per field; replaces the previous one) and status words (folded word →
    /// status; a word mapped before takes the new meaning). Both are what later files of the carrier are read with.
    /// </summary>
    public async Task SaveSettingsAsync(string carrier, IReadOnlyDictionary<CodField, string>? headers, IReadOnlyDictionary<string, string> statusWords,
        long? userId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (statusWords.Values.Any(v => !CodLineStatus.All.Contains(v))) throw new ArgumentException("unknown status", nameof(statusWords));
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        if (headers is not null)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO cod_carrier_mappings (carrier, headers, confirmed_by, confirmed_at) VALUES (@carrier, @json::jsonb, @userId, @now)
                ON CONFLICT (carrier) DO UPDATE SET headers = EXCLUDED.headers, confirmed_by = EXCLUDED.confirmed_by, confirmed_at = EXCLUDED.confirmed_at
                """, new { carrier, json = System.Text.Json.JsonSerializer.Serialize(headers.ToDictionary(p => p.Key.ToString(), p => p.Value)), userId, now },
                tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO cod_status_words (carrier, word, status, confirmed_by, confirmed_at)
            SELECT @carrier, w, s, @userId, @now FROM unnest(@words, @statuses) AS x (w, s)
            ON CONFLICT (carrier, word) DO UPDATE SET status = EXCLUDED.status, confirmed_by = EXCLUDED.confirmed_by, confirmed_at = EXCLUDED.confirmed_at
            """, new { carrier, words = statusWords.Keys.ToArray(), statuses = statusWords.Values.ToArray(), userId, now }, tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Reads, checks and stores one statement; <paramref name="limits"/> bound the reading (default <see cref="CodStatementFormats.Limits"/>).</summary>
    private async Task<CodImportResult> ImportCoreAsync(string carrier, string fileName, byte[] content, long? userId, DateTimeOffset now,
        SpreadsheetLimits? limits, CancellationToken cancellationToken)
    {
        var sha = SHA256.HashData(content);
        await using (var lookup = await db.OpenConnectionAsync(cancellationToken))
        {
            var existing = await lookup.QuerySingleOrDefaultAsync<long?>(
                new CommandDefinition("SELECT id FROM cod_statements WHERE content_sha256 = @sha", new { sha },
                cancellationToken: cancellationToken));
            if (existing is not null) return new(CodImportStatus.AlreadyUploaded, existing, 0, 0, []);
        }

        if (fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) && !CodStatementFormats.IsZip(content))
            return new(CodImportStatus.Rejected, null, 0, 0, ["Tệp .xlsx này không phải tệp Excel: hãy tải lên tệp CSV (UTF-8) hoặc Excel (.xlsx)."]);
        var settings = await SettingsAsync(carrier, cancellationToken);
        // Read without holding a connection: reading a large file takes seconds.
        var parsed = CodStatementFormats.Parse(content, carrier, settings, limits, cancellationToken);
        if (parsed.NeedsMapping is { } proposal) return new(CodImportStatus.NeedsMapping, null, 0, 0, []) { Proposal = proposal };
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
            carrier, format = parsed.FormatName, fileName = Path.GetFileName(fileName), sha,
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

        // One carrier's imports one at a time (a shipment is remitted once: the unique index would refuse a race anyway).
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('cod-import:' || @carrier))", new { carrier }, tx,
            cancellationToken: cancellationToken));
        // A shipment an earlier statement of this carrier already listed is stored as a duplicate of the first line
        // (nothing silently dropped), never counted again. Most files list none, so the lines are copied at once and the
        // unique index on (carrier, tracking code) is the judge; only when it refuses does the import go back, look the
        // file's codes up (one indexed look-up for the whole file) and copy again with the repeats marked.
        var earlier = new Dictionary<string, long>(StringComparer.Ordinal);
        await tx.SaveAsync("lines", cancellationToken);
        try
        {
            await CopyLinesAsync(connection, statementId.Value, carrier, lines, earlier, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "cod_statement_lines_shipment_idx")
        {
            await tx.RollbackAsync("lines", cancellationToken);
            earlier = (await connection.QueryAsync<(string Tracking, long Id)>(new CommandDefinition("""
                SELECT tracking_code, id FROM cod_statement_lines
                WHERE carrier = @carrier AND duplicate_of IS NULL AND tracking_code = ANY(@codes)
                """, new { carrier, codes = lines.Select(l => l.TrackingCode).ToArray() }, tx, cancellationToken: cancellationToken)))
                .ToDictionary(e => e.Tracking, e => e.Id, StringComparer.Ordinal);
            await CopyLinesAsync(connection, statementId.Value, carrier, lines, earlier, cancellationToken);
        }
        var counts = (Lines: lines.Count, Duplicates: lines.Count(l => earlier.ContainsKey(l.TrackingCode)),
            Cod: lines.Where(l => !earlier.ContainsKey(l.TrackingCode)).Sum(l => l.CodVnd));
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE cod_statements SET line_count = @Lines, duplicate_line_count = @Duplicates, total_cod_vnd = @Cod WHERE id = @statementId
            """, new { counts.Lines, counts.Duplicates, counts.Cod, statementId }, tx, cancellationToken: cancellationToken));
        if (parsed.Adjustments.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO cod_statement_adjustments (statement_id, kind, sheet, row_number, description, amount_vnd)
                SELECT @statementId, k, sh, r, d, a FROM unnest(@kinds, @sheets, @rowNumbers, @descriptions, @amounts) AS x (k, sh, r, d, a)
                """, new
            {
                statementId, kinds = parsed.Adjustments.Select(a => a.Kind).ToArray(), sheets = parsed.Adjustments.Select(a => a.Sheet).ToArray(),
                rowNumbers = parsed.Adjustments.Select(a => a.RowNumber).ToArray(),
                descriptions = parsed.Adjustments.Select(a => a.Description).ToArray(), amounts = parsed.Adjustments.Select(a => a.AmountVnd).ToArray(),
            }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new(CodImportStatus.Imported, statementId, counts.Lines, counts.Duplicates, []);
    }

    /// <summary>Straight into the table with one binary COPY (no staging table, no INSERT … SELECT).</summary>
    private static async Task CopyLinesAsync(NpgsqlConnection connection, long statementId, string carrier, IReadOnlyList<ParsedCodLine> lines,
        Dictionary<string, long> earlier, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY cod_statement_lines (statement_id, row_number, carrier, tracking_code, order_code, cod_vnd, shipping_fee_vnd, cod_fee_vnd,
                                      return_fee_vnd, status, delivered_on, remitted_on, duplicate_of, carrier_status)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var l in lines)
        {
            var duplicateOf = earlier.TryGetValue(l.TrackingCode, out var first) ? first : (long?)null;
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(statementId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(l.RowNumber, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(carrier, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(l.TrackingCode, NpgsqlDbType.Text, cancellationToken);
            if (l.OrderCode is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(l.OrderCode, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(l.CodVnd, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(l.ShippingFeeVnd, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(l.CodFeeVnd, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(l.ReturnFeeVnd, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(l.Status, NpgsqlDbType.Text, cancellationToken);
            if (l.DeliveredOn is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(l.DeliveredOn.Value, NpgsqlDbType.Date, cancellationToken);
            if (l.RemittedOn is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(l.RemittedOn.Value, NpgsqlDbType.Date, cancellationToken);
            if (duplicateOf is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(duplicateOf.Value, NpgsqlDbType.Bigint, cancellationToken);
            if (l.CarrierStatus is null) await copy.WriteNullAsync(cancellationToken); else await copy.WriteAsync(l.CarrierStatus, NpgsqlDbType.Text, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>A statement's session-level fees and refunds.</summary>
    public async Task<IReadOnlyList<CodAdjustment>> AdjustmentsAsync(long statementId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CodAdjustment>(new CommandDefinition("""
            SELECT id, kind, sheet, row_number AS RowNumber, description, amount_vnd AS AmountVnd
            FROM cod_statement_adjustments WHERE statement_id = @statementId ORDER BY sheet, row_number
            """, new { statementId }, cancellationToken: cancellationToken))).AsList();
    }


    private const string StatementColumns = """
        s.id, s.carrier, s.format, s.file_name AS FileName, s.period_from AS PeriodFrom, s.period_to AS PeriodTo,
        s.line_count AS LineCount, s.duplicate_line_count AS DuplicateLineCount, s.total_cod_vnd AS TotalCodVnd,
        s.uploaded_at AS UploadedAt, s.reconciled_at AS ReconciledAt,
        (SELECT count(*)::int FROM cod_line_matches m JOIN cod_statement_lines l ON l.statement_id = m.statement_id AND l.id = m.line_id
         WHERE m.statement_id = s.id AND l.decision IS NULL
           AND m.outcome IN ('amount_mismatch', 'unknown_order', 'lost', 'awaiting_return')) AS NeedsDecision
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
        l.settled_run_id AS SettledRunId, l.carrier_status AS CarrierStatus, l.reported_cod_vnd AS ReportedCodVnd
        """;

    public async Task<IReadOnlyList<CodLine>> LinesAsync(long statementId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CodLine>(new CommandDefinition($"""
            SELECT {LineColumns} FROM cod_lines l LEFT JOIN orders o ON o.id = l.order_id
            WHERE l.statement_id = @statementId ORDER BY l.row_number
            """, new { statementId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Lines waiting for an admin: amount mismatches, unknown orders and lost shipments without a decision.</summary>
    public async Task<IReadOnlyList<CodLine>> NeedingDecisionAsync(int limit = 200, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CodLine>(new CommandDefinition($"""
            SELECT {LineColumns}
            FROM cod_line_matches w
            JOIN cod_lines l ON l.statement_id = w.statement_id AND l.id = w.line_id
            LEFT JOIN orders o ON o.id = l.order_id
            WHERE l.decision IS NULL AND w.outcome IN ('amount_mismatch', 'unknown_order', 'lost', 'awaiting_return')
            ORDER BY l.statement_id, l.row_number LIMIT @limit
            """, new { limit }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<CodLine?> LineAsync(long lineId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<CodLine>(new CommandDefinition($"""
            SELECT {LineColumns} FROM cod_lines l LEFT JOIN orders o ON o.id = l.order_id WHERE l.id = @lineId
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
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // Not while the line's statement is being reconciled: a run that started before the decision would otherwise write
        // its result (and payability) over the admin's. Reconciliation holds the statement FOR UPDATE.
        await connection.ExecuteAsync(new CommandDefinition("""
            SELECT 1 FROM cod_statements s WHERE s.id = (SELECT statement_id FROM cod_statement_lines WHERE id = @lineId) FOR SHARE
            """, new { lineId }, tx, cancellationToken: cancellationToken));
        // The decision is on the line, payability on its match.
        var changed = await connection.ExecuteAsync(new CommandDefinition("""
            WITH decided AS (
                UPDATE cod_statement_lines l
                SET decision = @decision, decision_cod_vnd = @amount, decision_reason = @reason, decided_by = @userId, decided_at = @now
                FROM cod_line_matches m
                WHERE l.id = @lineId AND m.statement_id = l.statement_id AND m.line_id = l.id
                  AND l.decision IS NULL AND l.settled_run_id IS NULL
                  AND m.outcome IN ('amount_mismatch', 'unknown_order', 'lost')
                  AND NOT (@decision = 'adjust' AND m.order_id IS NULL)
                RETURNING l.statement_id, l.id, m.order_id
            )
            UPDATE cod_line_matches m
            SET ready_at = CASE WHEN @decision IN ('accept', 'adjust') AND d.order_id IS NOT NULL THEN @now END
            FROM decided d WHERE m.statement_id = d.statement_id AND m.line_id = d.id
            """, new { lineId, decision, amount = decision == "adjust" ? adjustedCodVnd : null, reason = reason.Trim(), userId, now }, tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return changed == 1;
    }
}
