using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Cho40.Db;

public static class OrderStatus
{
    public const string Placed = "placed";
    public const string Confirmed = "confirmed";
    public const string Shipped = "shipped";
    public const string Delivered = "delivered";
    public const string Returned = "returned";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Placed, Confirmed, Shipped, Delivered, Returned, Cancelled];
}

public static class PaymentMethods
{
    public const string Cod = "cod";
    public const string Transfer = "transfer";

    public static readonly IReadOnlyList<string> All = [Cod, Transfer];
}

/// <summary>What a seller (or an admin) can do to an order, and from which statuses.</summary>
public enum OrderAction { Confirm, Ship, Deliver, Return, Cancel }

public sealed record CartLine(long ProductId, int Quantity);

public sealed record CheckoutRequest(Guid IdempotencyKey, long? UserId, string CustomerName, string CustomerPhone,
    string ProvinceCode, string CommuneCode, string AddressLine, string Note, string PaymentMethod,
    IReadOnlyList<CartLine> Lines, long ShippingFeeVnd, DateTimeOffset? TransferReservedUntil = null);

public sealed record PlacedOrder(long Id, string Code, string AccessToken, long SellerId, long TotalVnd);

/// <summary>A product that could not be reserved: not on sale any more, or fewer left than asked for.</summary>
public sealed record UnavailableLine(long ProductId, string? Name, int Requested, int Available);

public enum CheckoutStatus { Placed, AlreadyPlaced, Unavailable }

public sealed record CheckoutOutcome(CheckoutStatus Status, string? GroupToken, IReadOnlyList<PlacedOrder> Orders,
    IReadOnlyList<UnavailableLine> Unavailable);

public sealed record OrderSummary(long Id, string Code, string AccessToken, long SellerId, string SellerName, string CustomerName,
    string CustomerPhone, string PaymentMethod, string Status, string PaymentStatus, long TotalVnd, int ItemCount,
    DateTimeOffset CreatedAt);

public sealed record OrderItem(long ProductId, string ProductName, string Unit, long UnitPriceVnd, int Quantity, long LineTotalVnd,
    string? ProductSlug);

public sealed record OrderEvent(string Kind, string? FromStatus, string? ToStatus, string ActorKind, string? ActorName,
    string Detail, DateTimeOffset CreatedAt);

public sealed record OrderDetail(long Id, string Code, string AccessToken, long SellerId, string SellerName, string SellerSlug,
    string CustomerName, string CustomerPhone, string ProvinceName, string CommuneName, string AddressLine, string Note,
    string PaymentMethod, string Status, string PaymentStatus, long SubtotalVnd, long ShippingFeeVnd, long TotalVnd,
    long? PaidAmountVnd, DateTimeOffset? PaidAt, string? Carrier, string? TrackingCode, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, DateTimeOffset? ReservedUntil = null)
{
    public IReadOnlyList<OrderItem> Items { get; init; } = [];
    public IReadOnlyList<OrderEvent> Events { get; init; } = [];
}

public sealed record OrderFilter(string? Status = null, string? PaymentMethod = null, DateTimeOffset? From = null,
    DateTimeOffset? To = null, long? BeforeId = null, int Limit = 50);

public enum TransitionResult { Done, NotFound, NotAllowed }

public enum TransferPaymentOutcome { Paid, AmountMismatch, Unknown, AlreadyPaid }

/// <summary>
/// Orders: checkout (Orders.Checkout.cs: one order per seller, stock reserved atomically, idempotent), the shopper's
/// order page, the seller's order handling with a guarded status machine and a history (this file), and the
/// order side of bank-transfer payment matching (Orders.Transfers.cs).
/// </summary>
public sealed partial class Orders(NpgsqlDataSource db)
{
    /// <summary>No 0/O, 1/I/L: a code read out on the phone or typed into a transfer purpose is not misread.</summary>
    public const string CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    public const int MaxLines = 50;
    public const int MaxQuantity = 999;

    /// <summary>Allowed transitions: the statuses an action may start from, and where it leads.</summary>
    public static (string[] From, string To) Transition(OrderAction action) => action switch
    {
        OrderAction.Confirm => ([OrderStatus.Placed], OrderStatus.Confirmed),
        OrderAction.Ship => ([OrderStatus.Confirmed], OrderStatus.Shipped),
        OrderAction.Deliver => ([OrderStatus.Shipped], OrderStatus.Delivered),
        OrderAction.Return => ([OrderStatus.Shipped], OrderStatus.Returned),
        OrderAction.Cancel => ([OrderStatus.Placed, OrderStatus.Confirmed], OrderStatus.Cancelled),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static string NewCode() => "DH-" + new string(RandomNumberGenerator.GetItems<char>(CodeAlphabet, 6));

    private static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The orders of one checkout, by the checkout's unguessable token.</summary>
    public async Task<IReadOnlyList<OrderSummary>?> GroupAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var groupId = await connection.QuerySingleOrDefaultAsync<long?>(
            new CommandDefinition("SELECT id FROM checkout_groups WHERE access_token = @token", new { token },
            cancellationToken: cancellationToken));
        if (groupId is null) return null;
        return (await connection.QueryAsync<OrderSummary>(
            new CommandDefinition(SummarySql("o.checkout_group_id = @groupId") + " ORDER BY o.seller_id",
            new { groupId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The orders a signed-in shopper placed, newest first (a shopper checking out without an account keeps the link).</summary>
    public async Task<IReadOnlyList<OrderSummary>> ListForCustomerAsync(long userId, int limit = 50,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<OrderSummary>(
            new CommandDefinition(SummarySql("o.user_id = @userId") + " ORDER BY o.created_at DESC, o.id DESC LIMIT @limit",
            new { userId, limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>An order by its unguessable token (the shopper's link).</summary>
    public Task<OrderDetail?> ByTokenAsync(string token, CancellationToken cancellationToken = default) =>
        DetailAsync("o.access_token = @token", new { token }, cancellationToken);

    /// <summary>An order of a seller the user can act for; null for anybody else's order (answer 404).</summary>
    public Task<OrderDetail?> ForMemberAsync(long userId, long orderId, CancellationToken cancellationToken = default) =>
        DetailAsync($"o.id = @orderId AND {MemberClause}", new { orderId, userId }, cancellationToken);

    public Task<OrderDetail?> ForAdminAsync(long orderId, CancellationToken cancellationToken = default) =>
        DetailAsync("o.id = @orderId", new { orderId }, cancellationToken);

    /// <summary>The orders of every seller the user can act for, filtered, newest first, paged by id.</summary>
    public Task<IReadOnlyList<OrderSummary>> ListForMemberAsync(long userId, OrderFilter filter,
        CancellationToken cancellationToken = default) => ListAsync(MemberClause, userId, filter, cancellationToken);

    public Task<IReadOnlyList<OrderSummary>> ListAllAsync(OrderFilter filter, CancellationToken cancellationToken = default) =>
        ListAsync("TRUE", null, filter, cancellationToken);

    // The user is a member of the order's seller, and that seller is approved.
    private const string MemberClause = """
        EXISTS (SELECT 1 FROM seller_members m JOIN sellers ms ON ms.id = m.seller_id
                WHERE m.seller_id = o.seller_id AND m.user_id = @userId AND ms.status = 'approved')
        """;

    private static string SummarySql(string where) => $"""
        SELECT o.id, o.code, o.access_token AS AccessToken, o.seller_id AS SellerId, s.name AS SellerName,
               o.customer_name AS CustomerName, o.customer_phone AS CustomerPhone, o.payment_method AS PaymentMethod,
               o.status, o.payment_status AS PaymentStatus, o.total_vnd AS TotalVnd,
               (SELECT sum(i.quantity)::int FROM order_items i WHERE i.order_id = o.id) AS ItemCount,
               o.created_at AS CreatedAt
        FROM orders o JOIN sellers s ON s.id = o.seller_id
        WHERE {where}
        """;

    private async Task<IReadOnlyList<OrderSummary>> ListAsync(string scope, long? userId, OrderFilter filter,
        CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var sql = SummarySql($"""
            {scope}
              AND (@status::text IS NULL OR o.status = @status)
              AND (@paymentMethod::text IS NULL OR o.payment_method = @paymentMethod)
              AND (@from::timestamptz IS NULL OR o.created_at >= @from)
              AND (@to::timestamptz IS NULL OR o.created_at < @to)
              AND (@beforeId::bigint IS NULL OR o.id < @beforeId)
            """) + " ORDER BY o.id DESC LIMIT @limit";
        return (await connection.QueryAsync<OrderSummary>(new CommandDefinition(sql, new
        {
            userId, filter.Status, filter.PaymentMethod, filter.From, filter.To, filter.BeforeId,
            limit = Math.Clamp(filter.Limit, 1, 200),
        }, cancellationToken: cancellationToken))).AsList();
    }

    private async Task<OrderDetail?> DetailAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var order = await connection.QuerySingleOrDefaultAsync<OrderDetail>(new CommandDefinition($"""
            SELECT o.id, o.code, o.access_token AS AccessToken, o.seller_id AS SellerId, s.name AS SellerName, s.slug AS SellerSlug,
                   o.customer_name AS CustomerName, o.customer_phone AS CustomerPhone, pr.name AS ProvinceName,
                   c.name AS CommuneName, o.address_line AS AddressLine, o.note, o.payment_method AS PaymentMethod, o.status,
                   o.payment_status AS PaymentStatus, o.subtotal_vnd AS SubtotalVnd, o.shipping_fee_vnd AS ShippingFeeVnd,
                   o.total_vnd AS TotalVnd, o.paid_amount_vnd AS PaidAmountVnd, o.paid_at AS PaidAt, o.carrier,
                   o.tracking_code AS TrackingCode, o.created_at AS CreatedAt, o.updated_at AS UpdatedAt,
                   o.reserved_until AS ReservedUntil
            FROM orders o
            JOIN sellers s ON s.id = o.seller_id
            JOIN provinces pr ON pr.code = o.province_code
            JOIN communes c ON c.code = o.commune_code
            WHERE {where}
            """, parameters, cancellationToken: cancellationToken));
        if (order is null) return null;
        var items = (await connection.QueryAsync<OrderItem>(new CommandDefinition("""
            SELECT i.product_id AS ProductId, i.product_name AS ProductName, i.unit, i.unit_price_vnd AS UnitPriceVnd,
                   i.quantity, i.line_total_vnd AS LineTotalVnd, p.slug AS ProductSlug
            FROM order_items i LEFT JOIN products p ON p.id = i.product_id
            WHERE i.order_id = @Id ORDER BY i.product_name
            """, new { order.Id }, cancellationToken: cancellationToken))).AsList();
        var events = (await connection.QueryAsync<OrderEvent>(new CommandDefinition("""
            SELECT e.kind, e.from_status AS FromStatus, e.to_status AS ToStatus, e.actor_kind AS ActorKind,
                   u.display_name AS ActorName, e.detail, e.created_at AS CreatedAt
            FROM order_events e LEFT JOIN users u ON u.id = e.actor_user_id
            WHERE e.order_id = @Id ORDER BY e.created_at, e.id
            """, new { order.Id }, cancellationToken: cancellationToken))).AsList();
        return order with { Items = items, Events = events };
    }

    /// <summary>
    /// Moves an order along (confirm, hand to carrier, delivered, returned, cancelled) when its current
    /// status allows it; cancelling or a return puts the items back in stock. A seller member may act on
    /// their seller's orders only (asAdmin lets an admin act on any). Recorded in order_events.
    /// </summary>
    public async Task<TransitionResult> TransitionAsync(long orderId, OrderAction action, long userId, bool asAdmin,
        DateTimeOffset now, string? carrier = null, string? trackingCode = null, string? note = null,
        CancellationToken cancellationToken = default)
    {
        var (from, to) = Transition(action);
        if (action == OrderAction.Ship && (string.IsNullOrWhiteSpace(carrier) || string.IsNullOrWhiteSpace(trackingCode)))
            throw new ArgumentException("handing to a carrier needs the carrier's name and a tracking code");

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var current = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition($"""
            SELECT o.status FROM orders o
            WHERE o.id = @orderId AND (@asAdmin OR {MemberClause})
            FOR UPDATE
            """, new { orderId, userId, asAdmin }, tx, cancellationToken: cancellationToken));
        if (current is null) return TransitionResult.NotFound;
        if (!from.Contains(current)) return TransitionResult.NotAllowed;

        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE orders SET status = @to, updated_at = @now,
                              carrier = COALESCE(@carrier, carrier), tracking_code = COALESCE(@trackingCode, tracking_code)
            WHERE id = @orderId
            """, new { orderId, to, now, carrier = carrier?.Trim(), trackingCode = trackingCode?.Trim() }, tx,
            cancellationToken: cancellationToken));
        if (to is OrderStatus.Cancelled or OrderStatus.Returned)
        {
            // The goods were reserved at checkout (cancelled) or came back (returned): they can be sold again.
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE products p SET stock = p.stock + i.quantity - coalesce(r.quantity, 0)
                FROM order_items i LEFT JOIN order_returned_items r ON r.order_id = i.order_id AND r.product_id = i.product_id
                WHERE i.order_id = @orderId AND p.id = i.product_id
                """, new { orderId }, tx, cancellationToken: cancellationToken));
        }
        var detail = action == OrderAction.Ship ? $"{carrier!.Trim()} · {trackingCode!.Trim()}" : note?.Trim() ?? "";
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO order_events (order_id, kind, from_status, to_status, actor_user_id, actor_kind, detail, created_at)
            VALUES (@orderId, @to, @current, @to, @userId, @actorKind, @detail, @now)
            """, new { orderId, to, current, userId, actorKind = asAdmin ? "admin" : "seller", detail, now }, tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return TransitionResult.Done;
    }
}
