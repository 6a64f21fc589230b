using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>Checkout: a basket becomes one order per seller, in one transaction, once per idempotency key.</summary>
public sealed partial class Orders
{
    /// <summary>
    /// Places one order per seller for the basket, in one transaction: every line's stock is taken with a
    /// guarded update (stock &gt;= quantity) or nothing is. Prices, names and units come from the database.
    /// The same idempotency key placed twice (a double click, a retry) returns the first checkout.
    /// </summary>
    public async Task<CheckoutOutcome> PlaceAsync(CheckoutRequest request, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        var lines = request.Lines
            .GroupBy(l => l.ProductId)
            .Select(g => new CartLine(g.Key, g.Sum(l => l.Quantity)))
            .OrderBy(l => l.ProductId) // one lock order for every checkout: no deadlocks between them
            .ToList();
        if (lines.Count == 0 || lines.Count > MaxLines || lines.Any(l => l.Quantity is < 1 or > MaxQuantity))
            throw new ArgumentException("a basket has 1–50 lines of 1–999 each", nameof(request));

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var groupToken = NewToken();
        // A second submit with the same key waits here for the first to commit, then finds its row.
        var groupId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
            INSERT INTO checkout_groups (idempotency_key, access_token, user_id, created_at)
            VALUES (@key, @groupToken, @UserId, @now)
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """, new { key = request.IdempotencyKey, groupToken, request.UserId, now }, tx, cancellationToken: cancellationToken));
        if (groupId is null)
        {
            await tx.RollbackAsync(cancellationToken);
            var existing = await GroupByKeyAsync(connection, request.IdempotencyKey, cancellationToken);
            return new CheckoutOutcome(CheckoutStatus.AlreadyPlaced, existing.Token, existing.Orders, []);
        }

        var reserved = new List<(CartLine Line, long SellerId, string Name, string Unit, long Price)>();
        var unavailable = new List<UnavailableLine>();
        foreach (var line in lines)
        {
            var row = await connection.QuerySingleOrDefaultAsync<ReservedRow>(new CommandDefinition("""
                UPDATE products p SET stock = p.stock - @Quantity
                FROM sellers s
                WHERE p.id = @ProductId AND s.id = p.seller_id AND s.status = 'approved'
                  AND p.status = 'published' AND p.stock >= @Quantity
                RETURNING p.seller_id AS SellerId, p.name, p.unit, p.price_vnd AS PriceVnd
                """, line, tx, cancellationToken: cancellationToken));
            if (row is not null) reserved.Add((line, row.SellerId, row.Name, row.Unit, row.PriceVnd));
            else
            {
                var current = await connection.QuerySingleOrDefaultAsync<StockRow>(new CommandDefinition("""
                    SELECT p.name, p.stock, (p.status = 'published' AND s.status = 'approved') AS OnSale
                    FROM products p JOIN sellers s ON s.id = p.seller_id WHERE p.id = @ProductId
                    """, line, tx, cancellationToken: cancellationToken));
                unavailable.Add(new UnavailableLine(line.ProductId, current?.Name, line.Quantity,
                    current is { OnSale: true } ? current.Stock : 0));
            }
        }
        if (unavailable.Count > 0)
        {
            await tx.RollbackAsync(cancellationToken);
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
                orderId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
                    INSERT INTO orders (code, access_token, checkout_group_id, seller_id, user_id, customer_name, customer_phone,
                                        province_code, commune_code, address_line, note, payment_method, status,
                                        subtotal_vnd, shipping_fee_vnd, total_vnd, created_at, updated_at, reserved_until)
                    VALUES (@code, @token, @groupId, @sellerId, @UserId, @CustomerName, @CustomerPhone,
                            @ProvinceCode, @CommuneCode, @AddressLine, @Note, @PaymentMethod, 'placed',
                            @subtotal, @ShippingFeeVnd, @total, @now, @now,
                            CASE WHEN @PaymentMethod = 'transfer' THEN @TransferReservedUntil END)
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """, new
                {
                    code, token, groupId, sellerId = sellerLines.Key, request.UserId, request.CustomerName, request.CustomerPhone,
                    request.ProvinceCode, request.CommuneCode, request.AddressLine, request.Note, request.PaymentMethod,
                    subtotal, request.ShippingFeeVnd, total, now, request.TransferReservedUntil,
                }, tx, cancellationToken: cancellationToken));
            }
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd)
                VALUES (@orderId, @ProductId, @Name, @Unit, @Price, @Quantity, @Price * @Quantity)
                """, sellerLines.Select(l => new { orderId, l.Line.ProductId, l.Name, l.Unit, l.Price, l.Line.Quantity }), tx,
                cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO order_events (order_id, kind, to_status, actor_user_id, actor_kind, detail, created_at)
                VALUES (@orderId, 'placed', 'placed', @UserId, 'shopper', @PaymentMethod, @now)
                """, new { orderId, request.UserId, request.PaymentMethod, now }, tx, cancellationToken: cancellationToken));
            placed.Add(new PlacedOrder(orderId.Value, code, token, sellerLines.Key, total));
        }
        await tx.CommitAsync(cancellationToken);
        return new CheckoutOutcome(CheckoutStatus.Placed, groupToken, placed, []);
    }

    private static async Task<(string Token, IReadOnlyList<PlacedOrder> Orders)> GroupByKeyAsync(NpgsqlConnection connection, Guid key,
        CancellationToken cancellationToken)
    {
        var token = await connection.QuerySingleAsync<string>(
            new CommandDefinition("SELECT access_token FROM checkout_groups WHERE idempotency_key = @key", new { key },
            cancellationToken: cancellationToken));
        var orders = (await connection.QueryAsync<PlacedOrder>(new CommandDefinition("""
            SELECT o.id, o.code, o.access_token AS AccessToken, o.seller_id AS SellerId, o.total_vnd AS TotalVnd
            FROM orders o JOIN checkout_groups g ON g.id = o.checkout_group_id
            WHERE g.idempotency_key = @key ORDER BY o.seller_id
            """, new { key }, cancellationToken: cancellationToken))).AsList();
        return (token, orders);
    }

    /// <summary>The checkout already placed with this idempotency key, if any (a retry after the first went through).</summary>
    public async Task<CheckoutOutcome?> FindCheckoutAsync(Guid idempotencyKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(
                new CommandDefinition("SELECT EXISTS (SELECT 1 FROM checkout_groups WHERE idempotency_key = @idempotencyKey)", new { idempotencyKey },
                cancellationToken: cancellationToken)))
            return null;
        var existing = await GroupByKeyAsync(connection, idempotencyKey, cancellationToken);
        return new CheckoutOutcome(CheckoutStatus.AlreadyPlaced, existing.Token, existing.Orders, []);
    }

    private sealed record ReservedRow(long SellerId, string Name, string Unit, long PriceVnd);

    private sealed record StockRow(string Name, int Stock, bool OnSale);
}
