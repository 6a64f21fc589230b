using Cho40.Db.Domain;
using Dapper;
using Npgsql;

namespace Cho40.Db;

public static class TraceEventKinds
{
    /// <summary>In the order they usually happen; the seller's quick form shows them as big buttons.</summary>
    public static readonly IReadOnlyList<string> All =
        ["planting", "care", "harvest", "withering", "rolling", "drying", "processing", "packaging", "inspection", "certification", "shipping"];

    /// <summary>Steps that turn the raw harvest into the finished product (EPCIS TransformationEvents).</summary>
    public static readonly IReadOnlySet<string> Processing = new HashSet<string> { "withering", "rolling", "drying", "processing" };
}

public static class CertificateKinds
{
    public static readonly IReadOnlyList<string> All = ["vietgap", "globalgap", "ocop", "organic", "haccp", "other"];
}

public sealed record TraceProduct(long Id, string Name, string Slug, string Unit, string? Gtin);

public sealed record BatchSummary(long Id, string Code, string LotCode, string ProductName, decimal Quantity, string Unit,
    DateOnly ProducedOn, DateOnly? ExpiresOn, int Events, int Units, long Scans);

public sealed record NewBatch(long ProductId, string LotCode, decimal Quantity, string Unit, DateOnly ProducedOn, DateOnly? ExpiresOn, string Note);

/// <summary>A batch as its seller sees it (and what labels and the EPCIS export need).</summary>
public sealed record SellerBatch(long Id, long SellerId, string Code, string LotCode, long ProductId, string ProductName, string ProductSlug,
    string? Gtin, decimal Quantity, string Unit, DateOnly ProducedOn, DateOnly? ExpiresOn, string Note, DateTimeOffset CreatedAt,
    string? SellerCommuneCode, string SellerProvinceCode, int Units, long Scans);

public sealed record NewTraceEvent(string Kind, DateTimeOffset OccurredAt, string? ProvinceCode, string? CommuneCode,
    decimal? Latitude, decimal? Longitude, string Actor, string Note);

/// <summary>A photo already decoded, normalised and hashed by the web layer.</summary>
public sealed record TraceImage(string Sha256, int Width, int Height, byte[] Data);

public sealed record TraceEventView(long Id, string Kind, DateTimeOffset OccurredAt, string? ProvinceCode, string? CommuneCode,
    string? ProvinceName, string? CommuneName, decimal? Latitude, decimal? Longitude, string Actor, string Note, string PhotoList)
{
    /// <summary>SHA-256 keys of the event's photos, in order.</summary>
    public string[] Photos => PhotoList.Length == 0 ? [] : PhotoList.Split(',');
}

public sealed record TraceCertificate(long Id, string Kind, string Number, string Issuer, DateOnly ValidFrom, DateOnly ValidTo,
    long? ProductId, string? ProductName);

public sealed record NewCertificate(long? ProductId, string Kind, string Number, string Issuer, DateOnly ValidFrom, DateOnly ValidTo);

public sealed record LastPlace(string? ProvinceCode, string? CommuneCode, string Actor);

/// <summary>What the public trace page shows.</summary>
public sealed record PublicBatch(long Id, string Code, string LotCode, decimal Quantity, string Unit, DateOnly ProducedOn, DateOnly? ExpiresOn,
    string ProductName, string ProductSlug, bool ProductPublished, string? Gtin, string SellerName, string SellerKind, string SellerAddressLine,
    string? SellerCommune, string SellerProvince, string? OriginCommune, string? OriginProvince);

public sealed record PublicTrace(PublicBatch Batch, IReadOnlyList<TraceEventView> Events, IReadOnlyList<TraceCertificate> Certificates);

public sealed record UnitScan(string Serial, int ScanCount, DateTimeOffset FirstScannedAt, bool FirstDevice, int Devices, int RecentNetworks);

public sealed record SetGtinResult(bool Found, bool Duplicate);

public sealed record DigitalLinkTarget(string Code, string ProductSlug, string ProductName, bool ProductPublished, bool SerialFound);

internal sealed record StoredImage(byte[] Data, int Width);

/// <summary>
/// Traceability: batches, events, photos, certificates, unit codes and scans. Every seller-side method
/// takes the signed-in user's id and checks membership of the product's seller in the same SQL, so a
/// guessed id of another seller's batch finds nothing (the page answers 404).
/// </summary>
public sealed class Trace(NpgsqlDataSource db, AdminUnits units)
{
    // The user is a member of the product's seller, and the seller is approved.
    private const string MemberOf = """
        EXISTS (SELECT 1 FROM seller_members m JOIN sellers s ON s.id = m.seller_id AND s.status = 'approved'
                WHERE m.user_id = @userId AND m.seller_id = p.seller_id)
        """;

    public async Task<IReadOnlyList<TraceProduct>> ProductsAsync(long userId, long sellerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<TraceProduct>(new CommandDefinition($"""
            SELECT p.id, p.name, p.slug, p.unit, p.gtin FROM products p
            WHERE p.seller_id = @sellerId AND {MemberOf}
            ORDER BY p.name
            """, new { userId, sellerId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<BatchSummary>> BatchesAsync(long userId, long sellerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<BatchSummary>(new CommandDefinition($"""
            SELECT b.id, b.code, b.lot_code AS LotCode, p.name AS ProductName, b.quantity, b.unit,
                   b.produced_on AS ProducedOn, b.expires_on AS ExpiresOn,
                   (SELECT count(*)::int FROM trace_events e WHERE e.batch_id = b.id) AS Events,
                   (SELECT count(*)::int FROM trace_units u WHERE u.batch_id = b.id) AS Units,
                   (SELECT COALESCE(sum(scans), 0)::bigint FROM trace_batch_scans sc WHERE sc.batch_id = b.id) AS Scans
            FROM trace_batches b JOIN products p ON p.id = b.product_id
            WHERE p.seller_id = @sellerId AND {MemberOf}
            ORDER BY b.produced_on DESC, b.id DESC
            LIMIT 200
            """, new { userId, sellerId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Creates a batch of one of the user's products. Null when the product is not theirs; throws
    /// <see cref="PostgresException"/> 23505 on a lot code the product already has.</summary>
    public async Task<long?> CreateBatchAsync(long userId, NewBatch batch, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // A fresh random code; a collision (one in billions) just takes another.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition($"""
                    INSERT INTO trace_batches (product_id, lot_code, code, quantity, unit, produced_on, expires_on, note, created_by)
                    SELECT p.id, @LotCode, @code, @Quantity, @Unit, @ProducedOn, @ExpiresOn, @Note, @userId
                    FROM products p WHERE p.id = @ProductId AND {MemberOf}
                    RETURNING id
                    """, new { userId, code = TraceCode.NewBatchCode(), batch.ProductId, batch.LotCode, batch.Quantity, batch.Unit,
                        batch.ProducedOn, batch.ExpiresOn, batch.Note }, cancellationToken: cancellationToken));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "trace_batches_code_key" && attempt < 3)
            {
            }
        }
    }

    public async Task<SellerBatch?> BatchAsync(long userId, long batchId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SellerBatch>(new CommandDefinition($"""
            SELECT b.id, p.seller_id AS SellerId, b.code, b.lot_code AS LotCode, p.id AS ProductId, p.name AS ProductName,
                   p.slug AS ProductSlug, p.gtin, b.quantity, b.unit, b.produced_on AS ProducedOn, b.expires_on AS ExpiresOn,
                   b.note, b.created_at AS CreatedAt, s.commune_code AS SellerCommuneCode, s.province_code AS SellerProvinceCode,
                   (SELECT count(*)::int FROM trace_units u WHERE u.batch_id = b.id) AS Units,
                   (SELECT COALESCE(sum(scans), 0)::bigint FROM trace_batch_scans sc WHERE sc.batch_id = b.id) AS Scans
            FROM trace_batches b JOIN products p ON p.id = b.product_id JOIN sellers s ON s.id = p.seller_id
            WHERE b.id = @batchId AND {MemberOf}
            """, new { userId, batchId }, cancellationToken: cancellationToken));
    }

    /// <summary>The events of a batch, oldest first, with their photo hashes (kept on the event, migration 0970). Callers check access first.</summary>
    public async Task<IReadOnlyList<TraceEventView>> EventsAsync(long batchId, CancellationToken cancellationToken = default)
    {
        List<TraceEventView> events;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            events = (await connection.QueryAsync<TraceEventView>(new CommandDefinition(
                $"{EventColumns}\nWHERE e.batch_id = @batchId\n{EventOrder}", new { batchId }, cancellationToken: cancellationToken))).AsList();
        }
        return await WithPlaceNamesAsync(events, cancellationToken);
    }

    // An event's columns without its place names, which come from the lists AdminUnits keeps (WithPlaceNamesAsync).
    private const string EventColumns = """
        SELECT e.id, e.kind, e.occurred_at AS OccurredAt, e.province_code AS ProvinceCode, e.commune_code AS CommuneCode,
               NULL::text AS ProvinceName, NULL::text AS CommuneName, e.latitude, e.longitude, e.actor, e.note,
               e.photo_list AS PhotoList
        FROM trace_events e
        """;

    private const string EventOrder = "ORDER BY e.occurred_at, e.id";

    /// <summary>The events with their province's and commune's names.</summary>
    private async Task<List<TraceEventView>> WithPlaceNamesAsync(List<TraceEventView> events, CancellationToken cancellationToken)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.ProvinceCode is null && e.CommuneCode is null) continue;
            events[i] = e with
            {
                ProvinceName = await units.ProvinceNameAsync(e.ProvinceCode, cancellationToken),
                CommuneName = await units.CommuneNameAsync(e.CommuneCode, cancellationToken),
            };
        }
        return events;
    }

    /// <summary>Where and by whom the user last recorded something for this seller: the quick form's defaults.</summary>
    public async Task<LastPlace?> LastPlaceAsync(long userId, long batchId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<LastPlace>(new CommandDefinition($"""
            SELECT e.province_code AS ProvinceCode, e.commune_code AS CommuneCode, e.actor
            FROM trace_batches b0 JOIN products p ON p.id = b0.product_id
            JOIN products p2 ON p2.seller_id = p.seller_id
            JOIN trace_batches b ON b.product_id = p2.id
            JOIN trace_events e ON e.batch_id = b.id
            WHERE b0.id = @batchId AND {MemberOf}
            ORDER BY (e.batch_id = b0.id) DESC, e.created_at DESC, e.id DESC
            LIMIT 1
            """, new { userId, batchId }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records an event with its photos in one transaction. Returns null when the batch is not the user's. With an
    /// <paramref name="idempotencyKey"/> (drawn by the phone when the event was recorded, perhaps offline), sending it again
    /// finds the stored event (<paramref name="duplicate"/>) and adds nothing.
    /// </summary>
    public async Task<long?> AddEventAsync(long userId, long batchId, NewTraceEvent e, IReadOnlyList<TraceImage> photos,
        CancellationToken cancellationToken = default) =>
        (await AddEventOnceAsync(userId, batchId, e, photos, null, cancellationToken)).EventId;

    public async Task<(long? EventId, bool Duplicate)> AddEventOnceAsync(long userId, long batchId, NewTraceEvent e,
        IReadOnlyList<TraceImage> photos, Guid? idempotencyKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var eventId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition($"""
            INSERT INTO trace_events (batch_id, kind, occurred_at, province_code, commune_code, latitude, longitude, actor, note, created_by,
                                      idempotency_key)
            SELECT b.id, @Kind, @OccurredAt, @ProvinceCode, @CommuneCode, @Latitude, @Longitude, @Actor, @Note, @userId, @idempotencyKey
            FROM trace_batches b JOIN products p ON p.id = b.product_id
            WHERE b.id = @batchId AND {MemberOf}
            ON CONFLICT (batch_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """, new { userId, batchId, e.Kind, e.OccurredAt, e.ProvinceCode, e.CommuneCode, e.Latitude, e.Longitude, e.Actor, e.Note,
                idempotencyKey }, tx, cancellationToken: cancellationToken));
        if (eventId is null)
        {
            await tx.RollbackAsync(cancellationToken);
            if (idempotencyKey is null) return (null, false);
            // Stored before under this key (if the batch is the user's at all).
            var existing = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition($"""
                SELECT e.id FROM trace_events e JOIN trace_batches b ON b.id = e.batch_id JOIN products p ON p.id = b.product_id
                WHERE e.batch_id = @batchId AND e.idempotency_key = @idempotencyKey AND {MemberOf}
                """, new { userId, batchId, idempotencyKey }, cancellationToken: cancellationToken));
            return (existing, existing is not null);
        }
        for (var i = 0; i < photos.Count; i++)
        {
            var photo = photos[i];
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO trace_images (sha256, width, height, data) VALUES (@Sha256, @Width, @Height, @Data)
                ON CONFLICT (sha256) DO NOTHING
                """, photo, tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO trace_event_photos (event_id, sha256, sort_order) VALUES (@eventId, @Sha256, @i)
                ON CONFLICT DO NOTHING
                """, new { eventId, photo.Sha256, i }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return (eventId, false);
    }

    /// <summary>Adds <paramref name="count"/> serialised unit codes to the user's batch in one statement.
    /// Returns the number added, or null when the batch is not the user's.</summary>
    public async Task<int?> GenerateUnitsAsync(long userId, long batchId, int count, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var mine = await connection.ExecuteScalarAsync<bool>(new CommandDefinition($"""
            SELECT EXISTS (SELECT 1 FROM trace_batches b JOIN products p ON p.id = b.product_id WHERE b.id = @batchId AND {MemberOf})
            """, new { userId, batchId }, tx, cancellationToken: cancellationToken));
        if (!mine) return null;
        var added = 0;
        while (added < count)
        {
            var serials = new string[count - added];
            for (var i = 0; i < serials.Length; i++) serials[i] = TraceCode.NewSerial();
            // A serial already taken (vanishingly rare) is skipped and made up in the next round.
            added += await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO trace_units (batch_id, serial) SELECT @batchId, s FROM unnest(@serials) AS s
                ON CONFLICT (serial) DO NOTHING
                """, new { batchId, serials }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>Serial codes of a batch in the order they were made. Callers check access first.</summary>
    public async Task<IReadOnlyList<string>> SerialsAsync(long batchId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<string>(
            new CommandDefinition("SELECT serial FROM trace_units WHERE batch_id = @batchId ORDER BY id LIMIT @limit", new { batchId, limit },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<TraceCertificate>> CertificatesAsync(long userId, long sellerId,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<TraceCertificate>(new CommandDefinition("""
            SELECT c.id, c.kind, c.number, c.issuer, c.valid_from AS ValidFrom, c.valid_to AS ValidTo,
                   c.product_id AS ProductId, p.name AS ProductName
            FROM trace_certificates c LEFT JOIN products p ON p.id = c.product_id
            WHERE c.seller_id = @sellerId
              AND EXISTS (SELECT 1 FROM seller_members m JOIN sellers s ON s.id = m.seller_id AND s.status = 'approved'
                          WHERE m.user_id = @userId AND m.seller_id = @sellerId)
            ORDER BY c.valid_to DESC, c.id DESC
            """, new { userId, sellerId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Adds a certificate to the user's seller (and optionally one of its products). Null when not allowed.</summary>
    public async Task<long?> AddCertificateAsync(long userId, long sellerId, NewCertificate c,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO trace_certificates (seller_id, product_id, kind, number, issuer, valid_from, valid_to)
            SELECT @sellerId, @ProductId, @Kind, @Number, @Issuer, @ValidFrom, @ValidTo
            WHERE EXISTS (SELECT 1 FROM seller_members m JOIN sellers s ON s.id = m.seller_id AND s.status = 'approved'
                          WHERE m.user_id = @userId AND m.seller_id = @sellerId)
              AND (@ProductId::bigint IS NULL OR EXISTS (SELECT 1 FROM products p WHERE p.id = @ProductId AND p.seller_id = @sellerId))
            RETURNING id
            """, new { userId, sellerId, c.ProductId, c.Kind, c.Number, c.Issuer, c.ValidFrom, c.ValidTo },
            cancellationToken: cancellationToken));
    }

    /// <summary>Sets (or clears, with null) the GTIN-14 of one of the user's products.</summary>
    public async Task<SetGtinResult> SetGtinAsync(long userId, long productId, string? gtin14,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        try
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition($"""
                UPDATE products p SET gtin = @gtin14, updated_at = now() WHERE p.id = @productId AND {MemberOf}
                """, new { userId, productId, gtin14 }, cancellationToken: cancellationToken));
            return new SetGtinResult(changed == 1, false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return new SetGtinResult(true, true);
        }
    }

    // ---- Public side -------------------------------------------------------------------------------

    /// <summary>
    /// Everything the public trace page shows, in one round trip of three short statements. Place names (the seller's,
    /// the origin's, each event's) come from the lists <see cref="AdminUnits"/> keeps per process rather than from six
    /// joins: on this most visited page the joins cost PostgreSQL more than the rows themselves (issue 15).
    /// Certificates are those valid on <paramref name="today"/>.
    /// </summary>
    public async Task<PublicTrace?> PublicAsync(string code, DateOnly today, CancellationToken cancellationToken = default)
    {
        PublicBatchRow? row;
        List<TraceEventView> events;
        List<TraceCertificate> certificates;
        await using (var connection = await db.OpenConnectionAsync(cancellationToken))
        {
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition(PublicSql, new { code, today },
                cancellationToken: cancellationToken));
            row = await results.ReadSingleOrDefaultAsync<PublicBatchRow>();
            if (row is null) return null;
            events = (await results.ReadAsync<TraceEventView>()).AsList();
            certificates = (await results.ReadAsync<TraceCertificate>()).AsList();
        }
        events = await WithPlaceNamesAsync(events, cancellationToken);
        var batch = new PublicBatch(row.Id, row.Code, row.LotCode, row.Quantity, row.Unit, row.ProducedOn, row.ExpiresOn, row.ProductName,
            row.ProductSlug, row.ProductPublished, row.Gtin, row.SellerName, row.SellerKind, row.SellerAddressLine,
            await units.CommuneNameAsync(row.SellerCommuneCode, cancellationToken),
            await units.ProvinceNameAsync(row.SellerProvinceCode, cancellationToken) ?? "",
            await units.CommuneNameAsync(row.OriginCommuneCode, cancellationToken),
            await units.ProvinceNameAsync(row.OriginProvinceCode, cancellationToken));
        return new PublicTrace(batch, events, certificates);
    }

    // Stable text (prepared once per connection). Events find their batch by code so the three go in one round trip.
    private const string PublicSql = $"""
        SELECT b.id, b.code, b.lot_code AS LotCode, b.quantity, b.unit, b.produced_on AS ProducedOn, b.expires_on AS ExpiresOn,
               p.name AS ProductName, p.slug AS ProductSlug, p.status = 'published' AS ProductPublished, p.gtin,
               p.origin_province_code AS OriginProvinceCode, p.origin_commune_code AS OriginCommuneCode,
               s.name AS SellerName, s.kind AS SellerKind, s.address_line AS SellerAddressLine,
               s.province_code AS SellerProvinceCode, s.commune_code AS SellerCommuneCode
        FROM trace_batches b
        JOIN products p ON p.id = b.product_id
        JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
        WHERE b.code = @code;

        {EventColumns}
        WHERE e.batch_id = (SELECT id FROM trace_batches WHERE code = @code)
        {EventOrder};

        SELECT c.id, c.kind, c.number, c.issuer, c.valid_from AS ValidFrom, c.valid_to AS ValidTo, c.product_id AS ProductId, NULL AS ProductName
        FROM trace_batches b JOIN products p ON p.id = b.product_id
        JOIN trace_certificates c ON c.seller_id = p.seller_id AND (c.product_id IS NULL OR c.product_id = p.id)
        WHERE b.code = @code AND @today BETWEEN c.valid_from AND c.valid_to
        ORDER BY c.kind, c.valid_to DESC;
        """;

    private sealed record PublicBatchRow(long Id, string Code, string LotCode, decimal Quantity, string Unit, DateOnly ProducedOn,
        DateOnly? ExpiresOn, string ProductName, string ProductSlug, bool ProductPublished, string? Gtin, string? OriginProvinceCode,
        string? OriginCommuneCode, string SellerName, string SellerKind, string SellerAddressLine, string SellerProvinceCode,
        string? SellerCommuneCode);

    /// <summary>The batch code behind a GS1 Digital Link (GTIN-14 + lot), and whether a serial belongs to it.</summary>
    /// <summary>
    /// The batch a Digital Link names: by GTIN and lot, or by GTIN and serial alone (<c>/01/{gtin}/21/{serial}</c>,
    /// the constrained form: serials are unique across the platform, so the serial names its pack and batch).
    /// </summary>
    public async Task<DigitalLinkTarget?> ResolveDigitalLinkAsync(string gtin14, string? lot, string? serial,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DigitalLinkTarget>(new CommandDefinition("""
            SELECT b.code, p.slug AS ProductSlug, p.name AS ProductName, p.status = 'published' AS ProductPublished,
                   @serial::text IS NOT NULL AND EXISTS (SELECT 1 FROM trace_units u WHERE u.batch_id = b.id AND u.serial = @serial) AS SerialFound
            FROM products p JOIN trace_batches b ON b.product_id = p.id
            JOIN sellers s ON s.id = p.seller_id AND s.status = 'approved'
            WHERE p.gtin = @gtin14
              AND (b.lot_code = @lot
                   OR (@lot::text IS NULL AND EXISTS (SELECT 1 FROM trace_units u WHERE u.batch_id = b.id AND u.serial = @serial)))
            """, new { gtin14, lot, serial }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records one scan of a serialised code and returns what the page needs to warn about copies.
    /// Null when the serial is not one of this batch's.
    /// </summary>
    public async Task<UnitScan?> ScanUnitAsync(long batchId, string serial, string device, string network, DateTimeOffset now, TimeSpan networkWindow,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UnitScan>(new CommandDefinition("""
            WITH unit AS (
                UPDATE trace_units SET scan_count = scan_count + 1,
                       first_scanned_at = COALESCE(first_scanned_at, @now),
                       first_device = COALESCE(first_device, @device),
                       last_scanned_at = @now
                WHERE batch_id = @batchId AND serial = @serial
                RETURNING id, serial, scan_count, first_scanned_at, first_device
            ), logged AS (
                INSERT INTO trace_unit_scans (unit_id, scanned_at, device, network)
                SELECT id, @now, @device, @network FROM unit
            )
            SELECT u.serial, u.scan_count AS ScanCount, u.first_scanned_at AS FirstScannedAt, u.first_device = @device AS FirstDevice,
                   (SELECT count(DISTINCT d) FROM (SELECT s.device AS d FROM trace_unit_scans s WHERE s.unit_id = u.id
                                                   UNION SELECT @device) devices)::int AS Devices,
                   (SELECT count(DISTINCT n) FROM (SELECT s.network AS n FROM trace_unit_scans s
                                                   WHERE s.unit_id = u.id AND s.scanned_at > @since
                                                   UNION SELECT @network) networks)::int AS RecentNetworks
            FROM unit u
            """, new { batchId, serial, device, network, now, since = now - networkWindow }, cancellationToken: cancellationToken));
    }

    /// <summary>Adds counted page views to the per-day scan totals (ScanCounter calls this every few seconds).</summary>
    public async Task AddBatchScansAsync(IReadOnlyCollection<(long BatchId, DateOnly Day, long Scans)> counts,
        CancellationToken cancellationToken = default)
    {
        if (counts.Count == 0) return;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO trace_batch_scans (batch_id, day, scans)
            SELECT b, d, n FROM unnest(@ids, @days, @scans) AS t (b, d, n)
            WHERE EXISTS (SELECT 1 FROM trace_batches WHERE id = b)
            ON CONFLICT (batch_id, day) DO UPDATE SET scans = trace_batch_scans.scans + EXCLUDED.scans
            """, new
        {
            ids = counts.Select(c => c.BatchId).ToArray(),
            days = counts.Select(c => c.Day).ToArray(),
            scans = counts.Select(c => c.Scans).ToArray(),
        }, cancellationToken: cancellationToken));
    }

    /// <summary>A stored photo at a given width (made once from the original and kept), or null when unknown.</summary>
    public async Task<byte[]?> ImageAsync(string sha256, int width, Func<byte[], int, byte[]> resize,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<byte[]>(
            new CommandDefinition("SELECT data FROM trace_image_sizes WHERE sha256 = @sha256 AND width = @width", new { sha256, width },
            cancellationToken: cancellationToken));
        if (stored is not null) return stored;
        var original = await connection.QuerySingleOrDefaultAsync<StoredImage>(
            new CommandDefinition("SELECT data, width FROM trace_images WHERE sha256 = @sha256", new { sha256 },
            cancellationToken: cancellationToken));
        if (original is null) return null;
        var resized = original.Width <= width ? original.Data : resize(original.Data, width);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO trace_image_sizes (sha256, width, data) VALUES (@sha256, @width, @resized) ON CONFLICT DO NOTHING
            """, new { sha256, width, resized }, cancellationToken: cancellationToken));
        return resized;
    }
}
