using Dapper;

namespace Cho40.Db;

public enum PartialReturnResult { Recorded, AlreadyRecorded, NotFound, NotAllowed, Invalid }

public sealed record ReturnedItem(long ProductId, string ProductName, int Quantity, long UnitPriceVnd);

public sealed partial class Orders
{
    /// <summary>
    /// Records what came back of a partly delivered order (the rest was delivered and paid): per item a quantity from 1 to
    /// what was ordered, not all of everything (that is a return, <see cref="OrderAction.Return"/>). Once per order: the
    /// returned items go back in stock in the same transaction, and a repeat changes nothing (AlreadyRecorded). Only a
    /// delivered order; a seller member for their seller's orders, an admin for any.
    /// </summary>
    public async Task<PartialReturnResult> RecordPartialReturnAsync(long orderId, IReadOnlyDictionary<long, int> quantities, long userId,
        bool asAdmin, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var wanted = quantities.Where(q => q.Value > 0).ToDictionary(q => q.Key, q => q.Value);
        if (wanted.Count == 0) return PartialReturnResult.Invalid;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var status = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition($"""
            SELECT o.status FROM orders o WHERE o.id = @orderId AND (@asAdmin OR {MemberClause}) FOR UPDATE
            """, new { orderId, userId, asAdmin }, tx, cancellationToken: cancellationToken));
        if (status is null) return PartialReturnResult.NotFound;
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM order_returned_items WHERE order_id = @orderId)", new { orderId }, tx,
                cancellationToken: cancellationToken)))
            return PartialReturnResult.AlreadyRecorded;
        if (status != OrderStatus.Delivered) return PartialReturnResult.NotAllowed;
        var items = (await connection.QueryAsync<(long ProductId, int Quantity)>(new CommandDefinition(
            "SELECT product_id, quantity FROM order_items WHERE order_id = @orderId", new { orderId }, tx,
            cancellationToken: cancellationToken))).ToDictionary(i => i.ProductId, i => i.Quantity);
        if (wanted.Any(w => !items.TryGetValue(w.Key, out var ordered) || w.Value > ordered)) return PartialReturnResult.Invalid;
        // Everything back is a return, not a partial delivery.
        if (items.All(i => wanted.GetValueOrDefault(i.Key) == i.Value)) return PartialReturnResult.Invalid;

        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO order_returned_items (order_id, product_id, quantity, recorded_by, recorded_at)
            SELECT @orderId, p, q, @userId, @now FROM unnest(@products, @quantities) AS x (p, q)
            """, new { orderId, products = wanted.Keys.ToArray(), quantities = wanted.Values.ToArray(), userId, now }, tx,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE products p SET stock = p.stock + r.quantity
            FROM order_returned_items r WHERE r.order_id = @orderId AND p.id = r.product_id
            """, new { orderId }, tx, cancellationToken: cancellationToken));
        var detail = string.Join(", ", (await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT i.product_name || ' × ' || r.quantity FROM order_returned_items r
            JOIN order_items i ON i.order_id = r.order_id AND i.product_id = r.product_id WHERE r.order_id = @orderId ORDER BY i.product_name
            """, new { orderId }, tx, cancellationToken: cancellationToken))));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO order_events (order_id, kind, from_status, to_status, actor_user_id, actor_kind, detail, created_at)
            VALUES (@orderId, 'partly_returned', @status, @status, @userId, @actorKind, @detail, @now)
            """, new { orderId, status, userId, actorKind = asAdmin ? "admin" : "seller", detail = "Hoàn một phần: " + detail, now }, tx,
            cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return PartialReturnResult.Recorded;
    }

    /// <summary>What came back of a partly delivered order (empty when nothing was recorded).</summary>
    public async Task<IReadOnlyList<ReturnedItem>> ReturnedItemsAsync(long orderId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ReturnedItem>(new CommandDefinition("""
            SELECT r.product_id AS ProductId, i.product_name AS ProductName, r.quantity, i.unit_price_vnd AS UnitPriceVnd
            FROM order_returned_items r JOIN order_items i ON i.order_id = r.order_id AND i.product_id = r.product_id
            WHERE r.order_id = @orderId ORDER BY i.product_name
            """, new { orderId }, cancellationToken: cancellationToken))).AsList();
    }
}
