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
    IReadOnlyList<CartLine> Lines, long ShippingFeeVnd);

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
    DateTimeOffset UpdatedAt)
{
    public IReadOnlyList<OrderItem> Items { get; init; } = [];
    public IReadOnlyList<OrderEvent> Events { get; init; } = [];
}

public sealed record OrderFilter(string? Status = null, string? PaymentMethod = null, DateTimeOffset? From = null,
    DateTimeOffset? To = null, long? BeforeId = null, int Limit = 50);

public enum TransitionResult { Done, NotFound, NotAllowed }

public enum TransferPaymentOutcome { Paid, AmountMismatch, Unknown, AlreadyPaid }

/// <summary>
/// Orders: checkout (one order per seller, stock reserved atomically, idempotent), the shopper's
/// order page, the seller's order handling with a guarded status machine and a history, and the
/// order side of bank-transfer payment matching.
/// </summary>
public sealed class Orders(NpgsqlDataSource db)
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

    /// <summary>
    /// Places one order per seller for the basket, in one transaction: every line's stock is taken with a
    /// guarded update (stock &gt;= quantity) or nothing is. Prices, names and units come from the database.
    /// The same idempotency key placed twice (a double click, a retry) returns the first checkout.
    /// </summary>
    public async Task<CheckoutOutcome> PlaceAsync(CheckoutRequest request, DateTimeOffset now)
    {
        var lines = request.Lines
            .GroupBy(l => l.ProductId)
            .Select(g => new CartLine(g.Key, g.Sum(l => l.Quantity)))
            .OrderBy(l => l.ProductId) // one lock order for every checkout: no deadlocks between them
            .ToList();
        if (lines.Count == 0 || lines.Count > MaxLines || lines.Any(l => l.Quantity is < 1 or > MaxQuantity))
            throw new ArgumentException("a basket has 1–50 lines of 1–999 each", nameof(request));

        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var groupToken = NewToken();
        // A second submit with the same key waits here for the first to commit, then finds its row.
        var groupId = await connection.QuerySingleOrDefaultAsync<long?>("""
            INSERT INTO checkout_groups (idempotency_key, access_token, user_id, created_at)
            VALUES (@key, @groupToken, @UserId, @now)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """, new { key = request.IdempotencyKey, groupToken, request.UserId, now }, tx);
        if (groupId is null)
        {
            await tx.RollbackAsync();
            var existing = await GroupByKeyAsync(connection, request.IdempotencyKey);
            return new CheckoutOutcome(CheckoutStatus.AlreadyPlaced, existing.Token, existing.Orders, []);
        }

        var reserved = new List<(CartLine Line, long SellerId, string Name, string Unit, long Price)>();
        var unavailable = new List<UnavailableLine>();
        foreach (var line in lines)
        {
            var row = await connection.QuerySingleOrDefaultAsync<ReservedRow>("""
                UPDATE products p SET stock = p.stock - @Quantity
                FROM sellers s
                WHERE p.id = @ProductId AND s.id = p.seller_id AND s.status = 'approved'
                  AND p.status = 'published' AND p.stock >= @Quantity
                RETURNING p.seller_id AS SellerId, p.name, p.unit, p.price_vnd AS PriceVnd
                """, line, tx);
            if (row is not null) reserved.Add((line, row.SellerId, row.Name, row.Unit, row.PriceVnd));
            else
            {
                var current = await connection.QuerySingleOrDefaultAsync<StockRow>("""
                    SELECT p.name, p.stock, (p.status = 'published' AND s.status = 'approved') AS OnSale
                    FROM products p JOIN sellers s ON s.id = p.seller_id WHERE p.id = @ProductId
                    """, line, tx);
                unavailable.Add(new UnavailableLine(line.ProductId, current?.Name, line.Quantity,
                    current is { OnSale: true } ? current.Stock : 0));
            }
        }
        if (unavailable.Count > 0)
        {
            await tx.RollbackAsync();
            return new CheckoutOutcome(CheckoutStatus.Unavailable, null, [], unavailable);
        }

        var placed = new List<PlacedOrder>();
        foreach (var sellerLines in reserved.GroupBy(r => r.SellerId).OrderBy(g => g.Key))
        {
            var subtotal = sellerLines.Sum(l => l.Price * l.Line.Quantity);
            var total = subtotal + request.ShippingFeeVnd;
            var token = NewToken();
            long? orderId = null;
            string code = "";
            for (var attempt = 0; orderId is null; attempt++)
            {
                if (attempt == 10) throw new InvalidOperationException("no free order code after 10 attempts");
                code = NewCode();
                orderId = await connection.QuerySingleOrDefaultAsync<long?>("""
                    INSERT INTO orders (code, access_token, checkout_group_id, seller_id, user_id, customer_name, customer_phone,
                                        province_code, commune_code, address_line, note, payment_method, status,
                                        subtotal_vnd, shipping_fee_vnd, total_vnd, created_at, updated_at)
                    VALUES (@code, @token, @groupId, @sellerId, @UserId, @CustomerName, @CustomerPhone,
                            @ProvinceCode, @CommuneCode, @AddressLine, @Note, @PaymentMethod, 'placed',
                            @subtotal, @ShippingFeeVnd, @total, @now, @now)
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """, new
                {
                    code, token, groupId, sellerId = sellerLines.Key, request.UserId, request.CustomerName, request.CustomerPhone,
                    request.ProvinceCode, request.CommuneCode, request.AddressLine, request.Note, request.PaymentMethod,
                    subtotal, request.ShippingFeeVnd, total, now,
                }, tx);
            }
            await connection.ExecuteAsync("""
                INSERT INTO order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd)
                VALUES (@orderId, @ProductId, @Name, @Unit, @Price, @Quantity, @Price * @Quantity)
                """, sellerLines.Select(l => new { orderId, l.Line.ProductId, l.Name, l.Unit, l.Price, l.Line.Quantity }), tx);
            await connection.ExecuteAsync("""
                INSERT INTO order_events (order_id, kind, to_status, actor_user_id, actor_kind, detail, created_at)
                VALUES (@orderId, 'placed', 'placed', @UserId, 'shopper', @PaymentMethod, @now)
                """, new { orderId, request.UserId, request.PaymentMethod, now }, tx);
            placed.Add(new PlacedOrder(orderId.Value, code, token, sellerLines.Key, total));
        }
        await tx.CommitAsync();
        return new CheckoutOutcome(CheckoutStatus.Placed, groupToken, placed, []);
    }

    private static async Task<(string Token, IReadOnlyList<PlacedOrder> Orders)> GroupByKeyAsync(NpgsqlConnection connection, Guid key)
    {
        var token = await connection.QuerySingleAsync<string>(
            "SELECT access_token FROM checkout_groups WHERE idempotency_key = @key", new { key });
        var orders = (await connection.QueryAsync<PlacedOrder>("""
            SELECT o.id, o.code, o.access_token AS AccessToken, o.seller_id AS SellerId, o.total_vnd AS TotalVnd
            FROM orders o JOIN checkout_groups g ON g.id = o.checkout_group_id
            WHERE g.idempotency_key = @key ORDER BY o.seller_id
            """, new { key })).AsList();
        return (token, orders);
    }

    /// <summary>The checkout already placed with this idempotency key, if any (a retry after the first went through).</summary>
    public async Task<CheckoutOutcome?> FindCheckoutAsync(Guid idempotencyKey)
    {
        await using var connection = await db.OpenConnectionAsync();
        if (!await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM checkout_groups WHERE idempotency_key = @idempotencyKey)", new { idempotencyKey }))
            return null;
        var existing = await GroupByKeyAsync(connection, idempotencyKey);
        return new CheckoutOutcome(CheckoutStatus.AlreadyPlaced, existing.Token, existing.Orders, []);
    }

    /// <summary>The orders of one checkout, by the checkout's unguessable token.</summary>
    public async Task<IReadOnlyList<OrderSummary>?> GroupAsync(string token)
    {
        await using var connection = await db.OpenConnectionAsync();
        var groupId = await connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM checkout_groups WHERE access_token = @token", new { token });
        if (groupId is null) return null;
        return (await connection.QueryAsync<OrderSummary>(SummarySql("o.checkout_group_id = @groupId") + " ORDER BY o.seller_id",
            new { groupId })).AsList();
    }

    /// <summary>The orders a signed-in shopper placed, newest first (a shopper checking out without an account keeps the link).</summary>
    public async Task<IReadOnlyList<OrderSummary>> ListForCustomerAsync(long userId, int limit = 50)
    {
        await using var connection = await db.OpenConnectionAsync();
        return (await connection.QueryAsync<OrderSummary>(SummarySql("o.user_id = @userId") + " ORDER BY o.created_at DESC, o.id DESC LIMIT @limit",
            new { userId, limit })).AsList();
    }

    /// <summary>An order by its unguessable token (the shopper's link).</summary>
    public Task<OrderDetail?> ByTokenAsync(string token) => DetailAsync("o.access_token = @token", new { token });

    /// <summary>An order of a seller the user can act for; null for anybody else's order (answer 404).</summary>
    public Task<OrderDetail?> ForMemberAsync(long userId, long orderId) =>
        DetailAsync($"o.id = @orderId AND {MemberClause}", new { orderId, userId });

    public Task<OrderDetail?> ForAdminAsync(long orderId) => DetailAsync("o.id = @orderId", new { orderId });

    /// <summary>The orders of every seller the user can act for, filtered, newest first, paged by id.</summary>
    public Task<IReadOnlyList<OrderSummary>> ListForMemberAsync(long userId, OrderFilter filter) => ListAsync(MemberClause, userId, filter);

    public Task<IReadOnlyList<OrderSummary>> ListAllAsync(OrderFilter filter) => ListAsync("TRUE", null, filter);

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

    private async Task<IReadOnlyList<OrderSummary>> ListAsync(string scope, long? userId, OrderFilter filter)
    {
        await using var connection = await db.OpenConnectionAsync();
        var sql = SummarySql($"""
            {scope}
              AND (@status::text IS NULL OR o.status = @status)
              AND (@paymentMethod::text IS NULL OR o.payment_method = @paymentMethod)
              AND (@from::timestamptz IS NULL OR o.created_at >= @from)
              AND (@to::timestamptz IS NULL OR o.created_at < @to)
              AND (@beforeId::bigint IS NULL OR o.id < @beforeId)
            """) + " ORDER BY o.id DESC LIMIT @limit";
        return (await connection.QueryAsync<OrderSummary>(sql, new
        {
            userId, filter.Status, filter.PaymentMethod, filter.From, filter.To, filter.BeforeId,
            limit = Math.Clamp(filter.Limit, 1, 200),
        })).AsList();
    }

    private async Task<OrderDetail?> DetailAsync(string where, object parameters)
    {
        await using var connection = await db.OpenConnectionAsync();
        var order = await connection.QuerySingleOrDefaultAsync<OrderDetail>($"""
            SELECT o.id, o.code, o.access_token AS AccessToken, o.seller_id AS SellerId, s.name AS SellerName, s.slug AS SellerSlug,
                   o.customer_name AS CustomerName, o.customer_phone AS CustomerPhone, pr.name AS ProvinceName,
                   c.name AS CommuneName, o.address_line AS AddressLine, o.note, o.payment_method AS PaymentMethod, o.status,
                   o.payment_status AS PaymentStatus, o.subtotal_vnd AS SubtotalVnd, o.shipping_fee_vnd AS ShippingFeeVnd,
                   o.total_vnd AS TotalVnd, o.paid_amount_vnd AS PaidAmountVnd, o.paid_at AS PaidAt, o.carrier,
                   o.tracking_code AS TrackingCode, o.created_at AS CreatedAt, o.updated_at AS UpdatedAt
            FROM orders o
            JOIN sellers s ON s.id = o.seller_id
            JOIN provinces pr ON pr.code = o.province_code
            JOIN communes c ON c.code = o.commune_code
            WHERE {where}
            """, parameters);
        if (order is null) return null;
        var items = (await connection.QueryAsync<OrderItem>("""
            SELECT i.product_id AS ProductId, i.product_name AS ProductName, i.unit, i.unit_price_vnd AS UnitPriceVnd,
                   i.quantity, i.line_total_vnd AS LineTotalVnd, p.slug AS ProductSlug
            FROM order_items i LEFT JOIN products p ON p.id = i.product_id
            WHERE i.order_id = @Id ORDER BY i.product_name
            """, new { order.Id })).AsList();
        var events = (await connection.QueryAsync<OrderEvent>("""
            SELECT e.kind, e.from_status AS FromStatus, e.to_status AS ToStatus, e.actor_kind AS ActorKind,
                   u.display_name AS ActorName, e.detail, e.created_at AS CreatedAt
            FROM order_events e LEFT JOIN users u ON u.id = e.actor_user_id
            WHERE e.order_id = @Id ORDER BY e.created_at, e.id
            """, new { order.Id })).AsList();
        return order with { Items = items, Events = events };
    }

    /// <summary>
    /// Moves an order along (confirm, hand to carrier, delivered, returned, cancelled) when its current
    /// status allows it; cancelling or a return puts the items back in stock. A seller member may act on
    /// their seller's orders only (asAdmin lets an admin act on any). Recorded in order_events.
    /// </summary>
    public async Task<TransitionResult> TransitionAsync(long orderId, OrderAction action, long userId, bool asAdmin,
        DateTimeOffset now, string? carrier = null, string? trackingCode = null, string? note = null)
    {
        var (from, to) = Transition(action);
        if (action == OrderAction.Ship && (string.IsNullOrWhiteSpace(carrier) || string.IsNullOrWhiteSpace(trackingCode)))
            throw new ArgumentException("handing to a carrier needs the carrier's name and a tracking code");

        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var current = await connection.QuerySingleOrDefaultAsync<string>($"""
            SELECT o.status FROM orders o
            WHERE o.id = @orderId AND (@asAdmin OR {MemberClause})
            FOR UPDATE
            """, new { orderId, userId, asAdmin }, tx);
        if (current is null) return TransitionResult.NotFound;
        if (!from.Contains(current)) return TransitionResult.NotAllowed;

        await connection.ExecuteAsync("""
            UPDATE orders SET status = @to, updated_at = @now,
                              carrier = COALESCE(@carrier, carrier), tracking_code = COALESCE(@trackingCode, tracking_code)
            WHERE id = @orderId
            """, new { orderId, to, now, carrier = carrier?.Trim(), trackingCode = trackingCode?.Trim() }, tx);
        if (to is OrderStatus.Cancelled or OrderStatus.Returned)
        {
            // The goods were reserved at checkout (cancelled) or came back (returned): they can be sold again.
            await connection.ExecuteAsync("""
                UPDATE products p SET stock = p.stock + i.quantity
                FROM order_items i WHERE i.order_id = @orderId AND p.id = i.product_id
                """, new { orderId }, tx);
        }
        var detail = action == OrderAction.Ship ? $"{carrier!.Trim()} · {trackingCode!.Trim()}" : note?.Trim() ?? "";
        await connection.ExecuteAsync("""
            INSERT INTO order_events (order_id, kind, from_status, to_status, actor_user_id, actor_kind, detail, created_at)
            VALUES (@orderId, @to, @current, @to, @userId, @actorKind, @detail, @now)
            """, new { orderId, to, current, userId, actorKind = asAdmin ? "admin" : "seller", detail, now }, tx);
        await tx.CommitAsync();
        return TransitionResult.Done;
    }

    /// <summary>
    /// "DH-7KQ3XM", "dh 7kq3xm", "DH7KQ3XM" → "DH-7KQ3XM"; null when it cannot be an order code.
    /// Banks and people drop the hyphen and change case.
    /// </summary>
    public static string? NormalizeCode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var compact = new string(text.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        if (compact.StartsWith("DH", StringComparison.Ordinal)) compact = compact[2..];
        return compact.Length == 6 && compact.All(c => CodeAlphabet.Contains(c)) ? "DH-" + compact : null;
    }

    /// <summary>
    /// The order side of bank-transfer matching (the webhook matcher calls it with the code it found in
    /// the transfer's purpose). Exact amount only. Idempotent: the same transaction again, or any
    /// transaction for an order already paid, changes nothing and answers AlreadyPaid.
    /// </summary>
    public async Task<TransferPaymentOutcome> MarkPaidByTransferAsync(string orderCode, long amount, string providerTransactionId,
        DateTimeOffset bankTime)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var outcome = await MarkPaidByTransferAsync(connection, tx, orderCode, amount, providerTransactionId, bankTime);
        if (outcome.Outcome == TransferPaymentOutcome.Paid) await tx.CommitAsync();
        return outcome.Outcome;
    }

    /// <summary>
    /// The same, inside the caller's transaction (the bank-notification intake stores the transfer and pays
    /// the order in one transaction, so a crash between the two cannot lose or double either). Also returns
    /// the order's id and total so the caller can flag a mismatch.
    /// </summary>
    public static async Task<(TransferPaymentOutcome Outcome, long? OrderId, long? OrderTotal)> MarkPaidByTransferAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, string orderCode, long amount, string providerTransactionId, DateTimeOffset bankTime)
    {
        var code = NormalizeCode(orderCode);
        if (code is null) return (TransferPaymentOutcome.Unknown, null, null);
        var o = await connection.QuerySingleOrDefaultAsync<PaymentRow>("""
            SELECT id, total_vnd AS Total, payment_status AS PaymentStatus, payment_method AS Method
            FROM orders WHERE code = @code FOR UPDATE
            """, new { code }, tx);
        if (o is null || o.Method != PaymentMethods.Transfer) return (TransferPaymentOutcome.Unknown, null, null);
        if (o.PaymentStatus == "paid") return (TransferPaymentOutcome.AlreadyPaid, o.Id, o.Total);
        if (await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM orders WHERE payment_provider_transaction_id = @providerTransactionId)",
                new { providerTransactionId }, tx))
            return (TransferPaymentOutcome.AlreadyPaid, o.Id, o.Total); // this bank transaction already paid another order
        if (amount != o.Total) return (TransferPaymentOutcome.AmountMismatch, o.Id, o.Total);

        var changed = await connection.ExecuteAsync("""
            UPDATE orders SET payment_status = 'paid', paid_amount_vnd = @amount, paid_at = @bankTime,
                              payment_provider_transaction_id = @providerTransactionId, updated_at = @bankTime
            WHERE id = @Id AND payment_status = 'unpaid'
            """, new { o.Id, amount, bankTime, providerTransactionId }, tx);
        if (changed == 0) return (TransferPaymentOutcome.AlreadyPaid, o.Id, o.Total);
        await connection.ExecuteAsync("""
            INSERT INTO order_events (order_id, kind, actor_kind, detail, created_at)
            VALUES (@Id, 'paid', 'bank', @providerTransactionId, @bankTime)
            """, new { o.Id, providerTransactionId, bankTime }, tx);
        return (TransferPaymentOutcome.Paid, o.Id, o.Total);
    }

    private sealed record ReservedRow(long SellerId, string Name, string Unit, long PriceVnd);

    private sealed record StockRow(string Name, int Stock, bool OnSale);

    private sealed record PaymentRow(long Id, long Total, string PaymentStatus, string Method);
}
