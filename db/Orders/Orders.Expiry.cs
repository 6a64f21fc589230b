using Dapper;

namespace Cho40.Db;

public sealed partial class Orders
{
    /// <summary>
    /// Cancels transfer orders still unpaid and not yet confirmed whose reservation (<c>reserved_until</c>, set at checkout
    /// and shown on the order page) has ended, puts their goods back in stock and records why. One statement per order under
    /// its row lock, guarded on status and payment, so a payment booked a moment earlier wins and a re-run changes nothing.
    /// Returns how many orders were cancelled.
    /// </summary>
    public async Task<int> ExpireUnpaidTransfersAsync(DateTimeOffset now, int limit = 500,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var expired = (await connection.QueryAsync<long>(new CommandDefinition("""
            WITH due AS (
                SELECT id FROM orders
                WHERE reserved_until < @now AND payment_status = 'unpaid' AND status = 'placed' AND payment_method = 'transfer'
                ORDER BY id LIMIT @limit
                FOR UPDATE SKIP LOCKED
            )
            UPDATE orders o SET status = 'cancelled', updated_at = @now
            FROM due WHERE o.id = due.id AND o.payment_status = 'unpaid' AND o.status = 'placed'
            RETURNING o.id
            """, new { now, limit }, tx, cancellationToken: cancellationToken))).AsList();
        if (expired.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE products p SET stock = p.stock + s.quantity
                FROM (SELECT product_id, sum(quantity) AS quantity FROM order_items WHERE order_id = ANY(@expired) GROUP BY product_id) s
                WHERE p.id = s.product_id;
                INSERT INTO order_events (order_id, kind, from_status, to_status, actor_kind, detail, created_at)
                SELECT id, 'cancelled', 'placed', 'cancelled', 'system', 'Hết thời gian giữ đơn, chưa nhận được chuyển khoản', @now
                FROM unnest(@expired) AS id;
                """, new { expired, now }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return expired.Count;
    }
}
