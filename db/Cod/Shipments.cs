using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>Encrypts carrier-account secrets at rest (the web process backs it with the data-protection key ring).</summary>
public interface ICarrierSecretProtector
{
    string Protect(string secret);
    /// <summary>Null when the text cannot be decrypted (key ring lost, tampered).</summary>
    string? Unprotect(string protectedSecret);
}

/// <summary>The carriers whose webhooks we receive: path segment, display name (as statements name the carrier).</summary>
public static class WebhookCarriers
{
    public const string Ghn = "ghn";
    public const string Ghtk = "ghtk";
    public const string ViettelPost = "viettelpost";

    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        [Ghn] = "GHN", [Ghtk] = "GHTK", [ViettelPost] = "Viettel Post",
    };
}

/// <summary>
/// Our shipment statuses and their rank: a status replaces the current one only when it ranks higher, or ranks the
/// same and happened later — so a late or repeated "delivering" never overwrites "delivered". Terminal statuses rank
/// 100; the way back (returning) 50 above the way out (10–40). A carrier's word we do not know has no status: it is
/// kept in the history, as the carrier wrote it, and never becomes the current status.
/// </summary>
public static class ShipmentStatus
{
    public static readonly IReadOnlyDictionary<string, int> Rank = new Dictionary<string, int>
    {
        ["created"] = 10, ["picked"] = 20, ["in_transit"] = 30, ["delivering"] = 40, ["delivery_failed"] = 40, ["returning"] = 50,
        ["delivered"] = 100, ["returned"] = 100, ["lost"] = 100, ["damaged"] = 100, ["cancelled"] = 100,
    };

    // GHN: status strings of its order webhook (PROVIDERS.md; api.ghn.vn order statuses).
    private static readonly Dictionary<string, string> Ghn = new()
    {
        ["ready_to_pick"] = "created", ["picking"] = "created", ["money_collect_picking"] = "created", ["picked"] = "picked",
        ["storing"] = "in_transit", ["transporting"] = "in_transit", ["sorting"] = "in_transit",
        ["delivering"] = "delivering", ["money_collect_delivering"] = "delivering", ["delivery_fail"] = "delivery_failed",
        ["waiting_to_return"] = "returning", ["return"] = "returning", ["return_transporting"] = "returning", ["return_sorting"] = "returning",
        ["returning"] = "returning", ["return_fail"] = "returning",
        ["delivered"] = "delivered", ["returned"] = "returned", ["lost"] = "lost", ["damage"] = "damaged", ["cancel"] = "cancelled",
    };

    // GHTK: status_id of its webhook (docs.giaohangtietkiem.vn "Webhook", order status table).
    private static readonly Dictionary<string, string> Ghtk = new()
    {
        ["-1"] = "cancelled", ["1"] = "created", ["2"] = "created", ["12"] = "created", ["7"] = "created", ["8"] = "created",
        ["127"] = "created", ["128"] = "created", ["3"] = "picked", ["123"] = "picked", ["4"] = "delivering", ["10"] = "delivering",
        ["45"] = "delivering", ["410"] = "delivering", ["9"] = "delivery_failed", ["49"] = "delivery_failed",
        ["5"] = "delivered", ["6"] = "delivered", ["20"] = "returning", ["21"] = "returned", ["11"] = "returned",
    };

    // Viettel Post: ORDER_STATUS codes as public integrations use them; Viettel Post's own table could not be read here,
    // so only these are mapped and every other code is kept as unknown (with its STATUS_NAME).
    private static readonly Dictionary<string, string> ViettelPost = new()
    {
        ["100"] = "created", ["102"] = "created", ["103"] = "created", ["105"] = "picked",
        ["200"] = "in_transit", ["202"] = "in_transit", ["300"] = "in_transit", ["320"] = "in_transit", ["400"] = "in_transit",
        ["500"] = "delivering", ["508"] = "delivering", ["550"] = "delivering", ["505"] = "delivery_failed", ["506"] = "delivery_failed",
        ["507"] = "delivery_failed", ["502"] = "returning", ["515"] = "returning",
        ["501"] = "delivered", ["504"] = "returned", ["503"] = "cancelled", ["107"] = "cancelled", ["201"] = "cancelled",
    };

    public static string? Of(string carrier, string carrierStatus) => carrier switch
    {
        WebhookCarriers.Ghn => Ghn.GetValueOrDefault(carrierStatus.Trim().ToLowerInvariant()),
        WebhookCarriers.Ghtk => Ghtk.GetValueOrDefault(carrierStatus.Trim()),
        WebhookCarriers.ViettelPost => ViettelPost.GetValueOrDefault(carrierStatus.Trim()),
        _ => null,
    };
}

/// <summary>One webhook delivery, read from a carrier's own fields.</summary>
public sealed record ShipmentUpdate(string Carrier, string TrackingCode, string? OrderCode, string CarrierStatus, string StatusName,
    DateTimeOffset OccurredAt, long? CodVnd, long? FeeVnd, bool PartialReturn, string Reason);

public enum ShipmentRecordResult { Recorded, Duplicate }

public sealed record CarrierAccount(long Id, string Carrier, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RotatedAt,
    DateTimeOffset? PreviousValidUntil);

public sealed record ShipmentView(long Id, string Carrier, string TrackingCode, string? Status, DateTimeOffset? StatusAt, long? CodReportedVnd,
    long? FeeReportedVnd, bool PartialReturn)
{
    public IReadOnlyList<ShipmentEventView> Events { get; init; } = [];
}

public sealed record ShipmentEventView(string CarrierStatus, string? Status, string StatusName, DateTimeOffset OccurredAt, long? CodVnd,
    long? FeeVnd, bool PartialReturn, string Reason);

/// <summary>
/// Carrier accounts (webhook secrets, encrypted, rotatable) and shipments as carriers' webhooks describe them: status
/// history with the carrier's time, COD amount and fees reported, partial returns. Idempotent: a repeated delivery
/// (same body) is stored once; out-of-order deliveries never move the status backwards (<see cref="ShipmentStatus"/>).
/// </summary>
public sealed class Shipments(NpgsqlDataSource db, ICarrierSecretProtector protector)
{
    /// <summary>How long the previous secret is still accepted after a rotation.</summary>
    public static readonly TimeSpan RotationGrace = TimeSpan.FromDays(7);

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    public async Task<long> CreateAccountAsync(string carrier, string name, string secret, long? userId, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        if (!WebhookCarriers.Names.ContainsKey(carrier)) throw new ArgumentException("unknown carrier", nameof(carrier));
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO carrier_accounts (carrier, name, secret_protected, created_by, created_at)
            VALUES (@carrier, @name, @secret, @userId, @now) RETURNING id
            """, new { carrier, name = name.Trim(), secret = protector.Protect(secret), userId, now }, cancellationToken: cancellationToken));
    }

    /// <summary>A new secret; the previous one keeps working for <see cref="RotationGrace"/> (the carrier's side is changed meanwhile).</summary>
    public async Task<bool> RotateAsync(long accountId, string secret, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE carrier_accounts SET previous_secret_protected = secret_protected, previous_valid_until = @until,
                                        secret_protected = @secret, rotated_at = @now
            WHERE id = @accountId
            """, new { accountId, secret = protector.Protect(secret), until = now + RotationGrace, now }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<IReadOnlyList<CarrierAccount>> AccountsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<CarrierAccount>(new CommandDefinition("""
            SELECT id, carrier, name, created_at AS CreatedAt, rotated_at AS RotatedAt, previous_valid_until AS PreviousValidUntil
            FROM carrier_accounts ORDER BY carrier, name
            """, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The account whose current (or, within the grace period, previous) secret is <paramref name="secret"/>; compared in constant time.</summary>
    public async Task<long?> AuthenticateAsync(string carrier, string? secret, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 200) return null;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var accounts = await connection.QueryAsync<(long Id, string Current, string? Previous, DateTimeOffset? Until)>(new CommandDefinition("""
            SELECT id, secret_protected, previous_secret_protected, previous_valid_until FROM carrier_accounts WHERE carrier = @carrier ORDER BY id
            """, new { carrier }, cancellationToken: cancellationToken));
        var given = Encoding.UTF8.GetBytes(secret);
        long? found = null;
        foreach (var a in accounts)
        {
            if (Matches(a.Current)) found ??= a.Id;
            else if (a.Previous is not null && a.Until > now && Matches(a.Previous)) found ??= a.Id;
        }
        return found;

        bool Matches(string protectedSecret) =>
            protector.Unprotect(protectedSecret) is { } s && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(s), given);
    }

    /// <summary>
    /// Records one delivery: the shipment (created on first news; linked to our order by our order code, else by the
    /// tracking code the seller entered), the event (once per body), then the current status by rank, the latest COD
    /// amount and fee reported (by the carrier's time), and a partial return once reported.
    /// </summary>
    public async Task<ShipmentRecordResult> RecordAsync(ShipmentUpdate update, long accountId, string body, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        var carrier = WebhookCarriers.Names[update.Carrier];
        var tracking = update.TrackingCode.Trim().ToUpperInvariant();
        var status = ShipmentStatus.Of(update.Carrier, update.CarrierStatus);
        var rank = status is null ? 0 : ShipmentStatus.Rank[status];
        var sha = SHA256.HashData(Encoding.UTF8.GetBytes(body));
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        // The upsert locks the shipment row: deliveries of one parcel are applied one at a time.
        var shipmentId = await connection.QuerySingleAsync<long>(new CommandDefinition("""
            INSERT INTO shipments (carrier, tracking_code, order_id, carrier_account_id, updated_at)
            VALUES (@carrier, @tracking, (
                SELECT o.id FROM orders o
                WHERE o.code = 'DH-' || regexp_replace(upper(regexp_replace(coalesce(@orderCode, ''), '[^A-Za-z0-9]', '', 'g')), '^DH', '')
                   OR upper(btrim(o.tracking_code)) = @tracking
                ORDER BY (o.code = 'DH-' || regexp_replace(upper(regexp_replace(coalesce(@orderCode, ''), '[^A-Za-z0-9]', '', 'g')), '^DH', '')) DESC, o.id
                LIMIT 1), @accountId, @now)
            ON CONFLICT (carrier, tracking_code) DO UPDATE
                SET order_id = coalesce(shipments.order_id, EXCLUDED.order_id), updated_at = EXCLUDED.updated_at
            RETURNING id
            """, new { carrier, tracking, orderCode = update.OrderCode, accountId, now }, tx, cancellationToken: cancellationToken));
        var eventId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO shipment_events (shipment_id, carrier_status, status, status_name, occurred_at, received_at, cod_vnd, fee_vnd,
                                         partial_return, reason, body, body_sha256)
            VALUES (@shipmentId, @CarrierStatus, @status, @StatusName, @OccurredAt, @now, @CodVnd, @FeeVnd, @PartialReturn, @Reason, @body, @sha)
            ON CONFLICT (shipment_id, body_sha256) DO NOTHING
            RETURNING id
            """, new
        {
            shipmentId, update.CarrierStatus, status, update.StatusName, update.OccurredAt, now, update.CodVnd, update.FeeVnd,
            update.PartialReturn, update.Reason, body, sha,
        }, tx, cancellationToken: cancellationToken));
        if (eventId is null)
        {
            await tx.RollbackAsync(cancellationToken);
            return ShipmentRecordResult.Duplicate;
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE shipments s SET
                status = CASE WHEN @status IS NOT NULL AND (@rank > s.status_rank OR (@rank = s.status_rank AND @occurred > coalesce(s.status_at, '-infinity')))
                              THEN @status ELSE s.status END,
                status_at = CASE WHEN @status IS NOT NULL AND (@rank > s.status_rank OR (@rank = s.status_rank AND @occurred > coalesce(s.status_at, '-infinity')))
                                 THEN @occurred ELSE s.status_at END,
                status_rank = CASE WHEN @status IS NOT NULL AND @rank > s.status_rank THEN @rank ELSE s.status_rank END,
                cod_reported_vnd = CASE WHEN @cod IS NOT NULL AND @occurred >= coalesce(s.cod_reported_at, '-infinity') THEN @cod ELSE s.cod_reported_vnd END,
                cod_reported_at = CASE WHEN @cod IS NOT NULL AND @occurred >= coalesce(s.cod_reported_at, '-infinity') THEN @occurred ELSE s.cod_reported_at END,
                fee_reported_vnd = CASE WHEN @fee IS NOT NULL AND NOT EXISTS (
                        SELECT 1 FROM shipment_events e WHERE e.shipment_id = s.id AND e.fee_vnd IS NOT NULL AND e.occurred_at > @occurred)
                    THEN @fee ELSE s.fee_reported_vnd END,
                partial_return = s.partial_return OR @partial
            WHERE s.id = @shipmentId
            """, new { shipmentId, status, rank, occurred = update.OccurredAt, cod = update.CodVnd, fee = update.FeeVnd, partial = update.PartialReturn },
            tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return ShipmentRecordResult.Recorded;
    }

    /// <summary>The shipments of an order with their history (the carrier's time order), for the seller's and the shopper's order pages.</summary>
    public async Task<IReadOnlyList<ShipmentView>> ForOrderAsync(long orderId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var shipments = (await connection.QueryAsync<ShipmentView>(new CommandDefinition("""
            SELECT id, carrier, tracking_code AS TrackingCode, status, status_at AS StatusAt, cod_reported_vnd AS CodReportedVnd,
                   fee_reported_vnd AS FeeReportedVnd, partial_return AS PartialReturn
            FROM shipments WHERE order_id = @orderId ORDER BY id
            """, new { orderId }, cancellationToken: cancellationToken))).AsList();
        var result = new List<ShipmentView>();
        foreach (var s in shipments)
        {
            var events = (await connection.QueryAsync<ShipmentEventView>(new CommandDefinition("""
                SELECT carrier_status AS CarrierStatus, status, status_name AS StatusName, occurred_at AS OccurredAt, cod_vnd AS CodVnd,
                       fee_vnd AS FeeVnd, partial_return AS PartialReturn, reason
                FROM shipment_events WHERE shipment_id = @id ORDER BY occurred_at, id
                """, new { s.Id }, cancellationToken: cancellationToken))).AsList();
            result.Add(s with { Events = events });
        }
        return result;
    }

    /// <summary>One shipment by carrier (display name) and tracking code, with its history.</summary>
    public async Task<ShipmentView?> FindAsync(string carrier, string trackingCode, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT id FROM shipments WHERE carrier = @carrier AND tracking_code = @tracking",
            new { carrier, tracking = trackingCode.Trim().ToUpperInvariant() }, cancellationToken: cancellationToken));
        if (id is null) return null;
        var s = await connection.QuerySingleAsync<ShipmentView>(new CommandDefinition("""
            SELECT id, carrier, tracking_code AS TrackingCode, status, status_at AS StatusAt, cod_reported_vnd AS CodReportedVnd,
                   fee_reported_vnd AS FeeReportedVnd, partial_return AS PartialReturn
            FROM shipments WHERE id = @id
            """, new { id }, cancellationToken: cancellationToken));
        var events = (await connection.QueryAsync<ShipmentEventView>(new CommandDefinition("""
            SELECT carrier_status AS CarrierStatus, status, status_name AS StatusName, occurred_at AS OccurredAt, cod_vnd AS CodVnd,
                   fee_vnd AS FeeVnd, partial_return AS PartialReturn, reason
            FROM shipment_events WHERE shipment_id = @id ORDER BY occurred_at, id
            """, new { id }, cancellationToken: cancellationToken))).AsList();
        return s with { Events = events };
    }
}
