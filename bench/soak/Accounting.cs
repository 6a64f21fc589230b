using System.Globalization;
using Dapper;
using Npgsql;

namespace Cho40.Bench.Soak;

/// <summary>
/// After the run: everything the site acknowledged to the driver (acks.tsv) is in the database exactly once, and
/// nothing else happened. Checkouts by idempotency key, orders by code, stock against the snapshot taken before the
/// run, notifications and transactions by provider transaction id, order and stall payments, the inbox, the ledger.
/// </summary>
public static class Accounting
{
    private sealed record Checkout(Guid Key, string Location, string Method, string[] Codes, (string Slug, int Quantity)[] Lines);

    private sealed record Delivery(long Id, string Kind, string Target, long Amount, bool Duplicate);

    public static async Task<bool> CheckAsync(string connectionString, string outDir)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(outDir, "acks.tsv"));
        var start = DateTimeOffset.Parse(lines.First(l => l.StartsWith("start\t", StringComparison.Ordinal))[6..], CultureInfo.InvariantCulture);
        var checkouts = new List<Checkout>();
        var deliveries = new List<Delivery>();
        foreach (var f in lines.Select(l => l.Split('\t')))
        {
            if (f[0] == "checkout")
                checkouts.Add(new Checkout(Guid.Parse(f[1]), f[2], f[3], f[4].Split(','),
                    f[5].Split(',').Select(x => x.Split(':')).Select(x => (x[0], int.Parse(x[1], CultureInfo.InvariantCulture))).ToArray()));
            else if (f[0] == "delivery")
                deliveries.Add(new Delivery(long.Parse(f[1], CultureInfo.InvariantCulture), f[2], f[3], long.Parse(f[4], CultureInfo.InvariantCulture), f[5] == "1"));
        }
        var stockBefore = (await File.ReadAllLinesAsync(Path.Combine(outDir, "stock-before.tsv")))
            .Select(l => l.Split('\t')).ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture), f => long.Parse(f[1], CultureInfo.InvariantCulture));

        await using var c = new NpgsqlConnection(connectionString);
        var results = new List<(string Check, string Expected, string Actual, bool Ok)>();
        void Add(string check, object expected, object actual, bool? ok = null) =>
            results.Add((check, Convert.ToString(expected, CultureInfo.InvariantCulture)!, Convert.ToString(actual, CultureInfo.InvariantCulture)!,
                ok ?? Equals(Convert.ToString(expected, CultureInfo.InvariantCulture), Convert.ToString(actual, CultureInfo.InvariantCulture))));

        // Checkouts and orders.
        var keys = checkouts.Select(x => x.Key).ToArray();
        var codes = checkouts.SelectMany(x => x.Codes).ToArray();
        Add("checkouts acknowledged = checkout groups (by idempotency key)", keys.Length,
            await c.ExecuteScalarAsync<long>("SELECT count(*) FROM checkout_groups WHERE idempotency_key = ANY(@keys)", new { keys }));
        var dbOrders = (await c.QueryAsync<(string Code, Guid Key, string Method, string PaymentStatus, long Total, long? Paid, string? Txn)>("""
            SELECT o.code, g.idempotency_key, o.payment_method, o.payment_status, o.total_vnd, o.paid_amount_vnd, o.payment_provider_transaction_id
            FROM orders o JOIN checkout_groups g ON g.id = o.checkout_group_id WHERE o.code = ANY(@codes)
            """, new { codes })).ToDictionary(o => o.Code);
        Add("orders acknowledged = orders found (by code, once each)", codes.Length, dbOrders.Count, codes.Length == codes.Distinct().Count() && dbOrders.Count == codes.Length);
        var wrongGroup = checkouts.Sum(x => x.Codes.Count(code => !dbOrders.TryGetValue(code, out var o) || o.Key != x.Key || o.Method != x.Method));
        Add("orders in the checkout and with the method acknowledged", 0, wrongGroup);
        Add("orders placed since the start = orders acknowledged (no unseen or doubled checkout)", codes.Length,
            await c.ExecuteScalarAsync<long>("SELECT count(*) FROM orders WHERE created_at >= @start", new { start }));

        // Stock: what left the shelves is exactly what was ordered.
        var ordered = (await c.QueryAsync<(long ProductId, long Quantity)>("""
            SELECT i.product_id, sum(i.quantity)::bigint FROM order_items i JOIN orders o ON o.id = i.order_id
            WHERE o.created_at >= @start GROUP BY i.product_id
            """, new { start })).ToDictionary(r => r.ProductId, r => r.Quantity);
        var slugs = checkouts.SelectMany(x => x.Lines).Select(l => l.Slug).Distinct().ToArray();
        var idsBySlug = (await c.QueryAsync<(string Slug, long Id)>("SELECT slug, id FROM products WHERE slug = ANY(@slugs)", new { slugs }))
            .ToDictionary(r => r.Slug, r => r.Id);
        var acknowledgedQuantity = checkouts.SelectMany(x => x.Lines).GroupBy(l => idsBySlug[l.Slug]).ToDictionary(g => g.Key, g => (long)g.Sum(l => l.Quantity));
        var stockNow = (await c.QueryAsync<(long Id, long Stock)>("SELECT id, stock::bigint FROM products")).ToDictionary(r => r.Id, r => r.Stock);
        var taken = stockBefore.Where(p => stockNow.ContainsKey(p.Key)).ToDictionary(p => p.Key, p => p.Value - stockNow[p.Key]);
        var products = taken.Keys.Union(ordered.Keys).Union(acknowledgedQuantity.Keys).ToList();
        var stockMismatches = products.Count(id => taken.GetValueOrDefault(id) != ordered.GetValueOrDefault(id)
                                                   || ordered.GetValueOrDefault(id) != acknowledgedQuantity.GetValueOrDefault(id));
        Add("stock taken = quantities ordered = quantities acknowledged (units)", acknowledgedQuantity.Values.Sum(), taken.Values.Sum(),
            stockMismatches == 0 && taken.Values.Sum() == acknowledgedQuantity.Values.Sum());
        Add("products whose stock movement differs from their orders", 0, stockMismatches);

        // Bank notifications: stored once per delivery, one transaction per distinct provider transaction id.
        var firsts = deliveries.Where(d => !d.Duplicate).ToList();
        var ids = firsts.Select(d => d.Id.ToString(CultureInfo.InvariantCulture)).ToArray();
        Add($"deliveries acknowledged ({firsts.Count} + {deliveries.Count - firsts.Count} repeated) = notifications stored", deliveries.Count,
            await c.ExecuteScalarAsync<long>("SELECT count(*) FROM bank_notifications WHERE provider = 'sepay' AND received_at >= @start", new { start }));
        Add("notifications not processed", 0,
            await c.ExecuteScalarAsync<long>("SELECT count(*) FROM bank_notifications WHERE provider = 'sepay' AND received_at >= @start AND status <> 'processed'", new { start }));
        Add("distinct transactions delivered = provider transactions", ids.Length,
            await c.ExecuteScalarAsync<long>("SELECT count(*) FROM provider_transactions WHERE provider = 'sepay' AND provider_txn_id = ANY(@ids)", new { ids }));
        Add("provider transactions since the start = distinct transactions delivered", ids.Length,
            await c.ExecuteScalarAsync<long>("SELECT count(*) FROM provider_transactions WHERE provider = 'sepay' AND received_at >= @start", new { start }));

        // Orders paid by transfer: each paid once, by the transaction that named it, with the amount its page showed.
        var orderPayments = firsts.Where(d => d.Kind == "order").ToList();
        var paidRight = orderPayments.Count(d => dbOrders.TryGetValue(d.Target, out var o) && o.PaymentStatus == "paid"
                                                 && o.Paid == d.Amount && o.Total == d.Amount && o.Txn == "sepay:" + d.Id.ToString(CultureInfo.InvariantCulture));
        Add("transfer orders paid by the transaction that named them (exact amount)", orderPayments.Count, paidRight);
        var transferOrders = checkouts.Where(x => x.Method == "transfer").SelectMany(x => x.Codes).ToList();
        Add("transfer orders acknowledged = orders paid by transfer since the start", transferOrders.Count,
            await c.ExecuteScalarAsync<long>("SELECT count(*) FROM orders WHERE created_at >= @start AND payment_status = 'paid'", new { start }));
        Add("COD orders marked paid (must stay unpaid)", 0, checkouts.Where(x => x.Method == "cod").SelectMany(x => x.Codes)
            .Count(code => dbOrders.TryGetValue(code, out var o) && o.PaymentStatus != "unpaid"));

        // Stall payments: one per distinct transaction to a stall's account, on that stall, with its amount.
        var stallPayments = firsts.Where(d => d.Kind == "stall").ToList();
        var stallIds = stallPayments.Select(d => d.Id.ToString(CultureInfo.InvariantCulture)).ToArray();
        var stallRows = (await c.QueryAsync<(string Txn, long Amount, string Account)>("""
            SELECT t.provider_txn_id, p.amount_vnd, a.account_number
            FROM stall_payments p JOIN provider_transactions t ON t.id = p.provider_transaction_id
            JOIN stall_bank_accounts a ON a.stall_id = p.stall_id
            WHERE t.provider = 'sepay' AND t.provider_txn_id = ANY(@stallIds)
            """, new { stallIds })).ToList();
        Add("stall transfers delivered = stall payments counted", stallPayments.Count, stallRows.Count,
            stallRows.Count == stallPayments.Count && stallRows.Select(r => r.Txn).Distinct().Count() == stallRows.Count);
        var expectedByTxn = stallPayments.ToDictionary(d => d.Id.ToString(CultureInfo.InvariantCulture));
        Add("stall payments: amount and stall as delivered (VND)", stallPayments.Sum(d => d.Amount),
            stallRows.Where(r => expectedByTxn[r.Txn].Amount == r.Amount && expectedByTxn[r.Txn].Target == r.Account).Sum(r => r.Amount));
        Add("transfers left in the inbox for a person", 0, await c.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM payment_inbox i JOIN provider_transactions t ON t.id = i.provider_transaction_id
            WHERE t.provider = 'sepay' AND t.received_at >= @start
            """, new { start }));

        // The ledger: every transaction sums to zero, and so does everything.
        var ledgerTransactions = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM ledger_transactions");
        Add($"ledger ({ledgerTransactions} transactions): sum of all entries (VND)", 0, await c.ExecuteScalarAsync<long>("SELECT coalesce(sum(amount_vnd), 0)::bigint FROM ledger_entries"));
        Add("ledger: transactions that do not sum to zero", 0, await c.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(amount_vnd) <> 0) x
            """));

        Console.WriteLine();
        Console.WriteLine($"accounting check ({checkouts.Count} checkouts, {codes.Length} orders, {deliveries.Count} deliveries; database {c.Database}):");
        var width = results.Max(r => r.Check.Length);
        foreach (var (check, expected, actual, ok) in results)
            Console.WriteLine($"  {check.PadRight(width)}  expected {expected,12}  found {actual,12}  {(ok ? "OK" : "MISMATCH")}");
        var allOk = results.All(r => r.Ok);
        Console.WriteLine(allOk ? "accounting check: OK" : "accounting check: MISMATCH");
        return allOk;
    }
}
