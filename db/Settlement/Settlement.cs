using System.Globalization;
using Cho40.Db.Domain;
using Dapper;
using Npgsql;

namespace Cho40.Db;

/// <summary>A settlement cycle: inclusive Vietnam dates. Key "2026-11-02..2026-11-08"; "2026-W45" (ISO week) is accepted too.</summary>
public sealed record SettlementCycle(DateOnly From, DateOnly To)
{
    public string Key => $"{From:yyyy-MM-dd}..{To:yyyy-MM-dd}";

    public static bool TryParse(string? text, out SettlementCycle cycle)
    {
        cycle = null!;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return false;
        var week = System.Text.RegularExpressions.Regex.Match(text, @"^(\d{4})-W(\d{2})$");
        if (week.Success)
        {
            var (year, number) = (int.Parse(week.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(week.Groups[2].Value, CultureInfo.InvariantCulture));
            if (number is < 1 or > 53 || number > ISOWeek.GetWeeksInYear(year)) return false;
            var monday = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, number, DayOfWeek.Monday));
            cycle = new SettlementCycle(monday, monday.AddDays(6));
            return true;
        }
        var parts = text.Split("..");
        if (parts.Length != 2
            || !DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
            || to < from || to.DayNumber - from.DayNumber > 92)
            return false;
        cycle = new SettlementCycle(from, to);
        return true;
    }
}

public enum SettleStatus { Completed, AlreadyCompleted }

public sealed record SettleResult(SettleStatus Status, long RunId, int Sellers, int Items, long PayoutTotalVnd);

public sealed record SettlementRun(long Id, string CycleKey, DateOnly PeriodFrom, DateOnly PeriodTo, string Status, DateTimeOffset CutoffAt,
    int CommissionBasisPoints, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, int SellerCount, int ItemCount, long PayoutTotalVnd);

public sealed record SettlementItem(long SellerId, string SellerName, string OrderCode, string Kind, string? Carrier, string? TrackingCode,
    long ReceivedVnd, long ShippingFeeVnd, long CodFeeVnd, long ReturnFeeVnd, long CommissionVnd, long NetVnd);

public sealed record PayoutAccount(string BankBin, string AccountNumber, string AccountName);

public sealed record MemberRun(long RunId, string CycleKey, long SellerId, string SellerName, long NetVnd, long PayoutVnd);

public sealed record Payout(long SellerId, string SellerName, long AmountVnd, string? BankBin, string? AccountNumber, string? AccountName,
    string Status = "pending", DateTimeOffset? DecidedAt = null, string? BankReference = null, string? FailureReason = null);

public enum PayoutDecision { Paid, Failed }

/// <summary>
/// Settlement by cycle. One run per cycle key (settlement_runs.cycle_key UNIQUE); the whole run — items, ledger postings
/// and payouts — is ONE database transaction holding the run row FOR UPDATE: a second process asking for the same cycle
/// waits, then finds it completed; a process killed midway leaves nothing behind and the retry redoes it from the same
/// cut-off. Ledger keys ('settlement:{cycle}:{seller}', 'payout:{cycle}:{seller}') make double posting impossible even so.
/// </summary>
public sealed class Settlement(NpgsqlDataSource db, SettlementOptions options)
{
    /// <summary>Environment variable for the kill-midway test: pause (inside the run's transaction) after this many sellers.</summary>
    public const string PauseAfterSellersVariable = "CHO40_SETTLEMENT_PAUSE_AFTER_SELLERS";

    /// <summary>
    /// Commission on an order's goods value (subtotal, without the shipping fee the shopper paid), per order, in whole
    /// đồng, rounded half up: (subtotal × basis points + 5 000) / 10 000 in integer arithmetic. 5 % = 500 basis points.
    /// </summary>
    public static long Commission(long subtotalVnd, int basisPoints) => (subtotalVnd * basisPoints + 5_000) / 10_000;

    public static int BasisPoints(decimal percent) => (int)Math.Round(percent * 100m, MidpointRounding.AwayFromZero);

    public async Task<SettleResult> RunAsync(SettlementCycle cycle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var key = cycle.Key;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // The run row exists before any work (committed on its own): its cut-off and commission rate are fixed by the first attempt.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO settlement_runs (cycle_key, period_from, period_to, cutoff_at, commission_basis_points, started_at)
            VALUES (@key, @From, @To, @now, @bp, @now)
            ON CONFLICT (cycle_key) DO NOTHING
            """, new { key, cycle.From, cycle.To, now, bp = BasisPoints(options.CommissionPercent) },
            cancellationToken: cancellationToken));

        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var run = await connection.QuerySingleAsync<SettlementRun>(
            new CommandDefinition($"SELECT {RunColumns} FROM settlement_runs WHERE cycle_key = @key FOR UPDATE", new { key }, tx,
            cancellationToken: cancellationToken));
        if (run.Status == "completed")
        {
            await tx.RollbackAsync(cancellationToken);
            return new(SettleStatus.AlreadyCompleted, run.Id, run.SellerCount, run.ItemCount, run.PayoutTotalVnd);
        }

        var periodEnd = VietnamTime.DayBounds(run.PeriodTo).End;
        var items = (await connection.QueryAsync<ItemRow>(new CommandDefinition(EligibleItemsSql, new
        {
            runId = run.Id, cutoff = run.CutoffAt, periodTo = run.PeriodTo, periodEnd, bp = run.CommissionBasisPoints,
        }, tx, cancellationToken: cancellationToken))).AsList();

        var pauseAfter = int.TryParse(Environment.GetEnvironmentVariable(PauseAfterSellersVariable), out var p) ? p : -1;
        var sellers = 0;
        foreach (var seller in items.GroupBy(i => i.SellerId).OrderBy(g => g.Key))
        {
            var list = seller.ToList();
            var lines = new List<LedgerLine>();
            foreach (var carrier in list.Where(i => i.Kind == "cod").GroupBy(i => i.Carrier!).OrderBy(g => g.Key))
                lines.Add(new(Ledger.CarrierReceivable(carrier.Key),
                    carrier.Sum(i => i.ReceivedVnd - i.ShippingFeeVnd - i.CodFeeVnd - i.ReturnFeeVnd), "COD thu hộ trừ phí vận chuyển"));
            lines.Add(new(Ledger.PlatformBank, list.Where(i => i.Kind == "transfer").Sum(i => i.ReceivedVnd), "Chuyển khoản VietQR"));
            lines.Add(new(Ledger.Commission, -list.Sum(i => i.CommissionVnd), "Hoa hồng sàn"));
            lines.Add(new(Ledger.SellerPayable(seller.Key), -list.Sum(i => i.NetVnd), "Phải trả người bán"));
            if (lines.Count(l => l.AmountVnd != 0) >= 2)
                await Ledger.PostAsync(connection, tx, $"settlement:{key}:{seller.Key}", $"Quyết toán {key}", lines, now,
                    cancellationToken);

            // One statement per seller, whatever the number of orders (arrays, not one round trip per item).
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO settlement_items (run_id, seller_id, order_id, kind, line_id, carrier, received_vnd, shipping_fee_vnd, cod_fee_vnd,
                                              return_fee_vnd, commission_vnd, net_vnd)
                SELECT @runId, @sellerId, i.order_id, i.kind, i.line_id, i.carrier, i.received, i.shipping, i.cod_fee, i.return_fee,
                       i.commission, i.net
                FROM unnest(@orderIds, @kinds, @lineIds, @carriers, @received, @shipping, @codFees, @returnFees, @commissions, @nets)
                     AS i (order_id, kind, line_id, carrier, received, shipping, cod_fee, return_fee, commission, net)
                """, new
            {
                runId = run.Id, sellerId = seller.Key,
                orderIds = list.Select(i => i.OrderId).ToArray(), kinds = list.Select(i => i.Kind).ToArray(),
                lineIds = list.Select(i => i.LineId).ToArray(), carriers = list.Select(i => i.Carrier).ToArray(),
                received = list.Select(i => i.ReceivedVnd).ToArray(), shipping = list.Select(i => i.ShippingFeeVnd).ToArray(),
                codFees = list.Select(i => i.CodFeeVnd).ToArray(), returnFees = list.Select(i => i.ReturnFeeVnd).ToArray(),
                commissions = list.Select(i => i.CommissionVnd).ToArray(), nets = list.Select(i => i.NetVnd).ToArray(),
            }, tx, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(
                new CommandDefinition("UPDATE cod_statement_lines SET settled_run_id = @runId WHERE id = ANY(@ids) AND settled_run_id IS NULL",
                new { runId = run.Id, ids = list.Where(i => i.LineId is not null).Select(i => i.LineId!.Value).ToArray() }, tx,
                cancellationToken: cancellationToken));

            if (++sellers == pauseAfter)
            {
                Console.Out.WriteLine("PAUSED");
                Console.Out.Flush();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }

        // Payouts: every seller whose payable account is in credit (the platform owes them) is paid the whole of it —
        // which carries over a negative balance (returns costing more than sales) into later cycles.
        var owed = (await connection.QueryAsync<(long SellerId, long Amount)>(new CommandDefinition("""
            SELECT seller_id, -balance_vnd FROM ledger_balances WHERE seller_id IS NOT NULL AND balance_vnd < 0 ORDER BY seller_id
            """, transaction: tx, cancellationToken: cancellationToken))).AsList();
        foreach (var (sellerId, amount) in owed)
        {
            // The money is owed to the seller until an admin confirms the bank transfer (ConfirmPayoutAsync).
            await Ledger.PostAsync(connection, tx, $"payout:{key}:{sellerId}", $"Chi trả {key}",
                [new(Ledger.SellerPayable(sellerId), amount, "Chi trả người bán"), new(Ledger.PayoutsPending, -amount, "Chờ chuyển khoản chi trả")], now,
                cancellationToken);
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO payouts (run_id, seller_id, amount_vnd, bank_bin, account_number, account_name)
            SELECT @runId, o.seller_id, o.amount, a.bank_bin, a.account_number, a.account_name
            FROM unnest(@sellerIds, @amounts) AS o (seller_id, amount)
            LEFT JOIN seller_payout_accounts a ON a.seller_id = o.seller_id
            """, new { runId = run.Id, sellerIds = owed.Select(o => o.SellerId).ToArray(), amounts = owed.Select(o => o.Amount).ToArray() }, tx,
            cancellationToken: cancellationToken));

        var total = owed.Sum(o => o.Amount);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE settlement_runs SET status = 'completed', completed_at = @now, seller_count = @sellers, item_count = @count,
                                       payout_total_vnd = @total
            WHERE id = @id AND status = 'running'
            """, new { id = run.Id, now, sellers, count = items.Count, total }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new(SettleStatus.Completed, run.Id, sellers, items.Count, total);
    }

    /// <summary>
    /// What a run pays for. ORDER-DEPENDENT SQL (the shop's orders: id, seller_id, subtotal_vnd, payment_method,
    /// payment_status, paid_amount_vnd, status, and order_events 'delivered'):
    /// — COD: statement lines matched to an order and payable (matched/returned, or accepted/adjusted by an admin) before
    ///   the run's cut-off, dated within or before the cycle, not settled yet. Received = the carrier's (or the adjusted) cash;
    ///   commission only on a delivered COD order.
    /// — Transfer: delivered orders paid by VietQR to the platform, delivered before the cycle's end and the cut-off,
    ///   not settled yet. Received = the amount paid; commission on the goods value.
    /// </summary>
    private const string EligibleItemsSql = """
        SELECT @runId AS RunId, o.seller_id AS SellerId, o.id AS OrderId, 'cod' AS Kind, l.id AS LineId, l.carrier,
               coalesce(l.decision_cod_vnd, l.cod_vnd) AS ReceivedVnd, l.shipping_fee_vnd AS ShippingFeeVnd, l.cod_fee_vnd AS CodFeeVnd,
               l.return_fee_vnd AS ReturnFeeVnd,
               CASE WHEN l.status IN ('delivered', 'partial') AND o.payment_method = 'cod' THEN (g.delivered_vnd * @bp + 5000) / 10000 ELSE 0 END AS CommissionVnd,
               coalesce(l.decision_cod_vnd, l.cod_vnd) - l.shipping_fee_vnd - l.cod_fee_vnd - l.return_fee_vnd
                 - CASE WHEN l.status IN ('delivered', 'partial') AND o.payment_method = 'cod' THEN (g.delivered_vnd * @bp + 5000) / 10000 ELSE 0 END AS NetVnd
        FROM cod_statement_lines l
        -- What reconciliation found (cod_line_matches): the order, and when the line became payable.
        JOIN cod_line_matches m ON m.statement_id = l.statement_id AND m.line_id = l.id
        JOIN orders o ON o.id = m.order_id
        -- Commission on the goods actually delivered: a partial delivery's returned items are not sold.
        CROSS JOIN LATERAL (
            SELECT o.subtotal_vnd - coalesce((SELECT sum(ri.quantity * i.unit_price_vnd) FROM order_returned_items ri
                                              JOIN order_items i ON i.order_id = ri.order_id AND i.product_id = ri.product_id
                                              WHERE ri.order_id = o.id AND l.status = 'partial'), 0)::bigint AS delivered_vnd) g
        WHERE l.duplicate_of IS NULL AND l.settled_run_id IS NULL AND m.ready_at IS NOT NULL AND m.ready_at <= @cutoff
          AND coalesce(l.decision, 'accept') IN ('accept', 'adjust')
          AND coalesce(l.remitted_on, l.delivered_on, @periodTo) <= @periodTo
          AND NOT EXISTS (SELECT 1 FROM settlement_items i WHERE i.line_id = l.id)
        UNION ALL
        SELECT @runId, o.seller_id, o.id, 'transfer', NULL, NULL,
               o.paid_amount_vnd, 0, 0, 0, (o.subtotal_vnd * @bp + 5000) / 10000,
               o.paid_amount_vnd - (o.subtotal_vnd * @bp + 5000) / 10000
        FROM orders o
        CROSS JOIN LATERAL (
            SELECT coalesce((SELECT max(e.created_at) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'delivered'),
                            o.updated_at) AS delivered_at) d
        WHERE o.payment_method = 'transfer' AND o.payment_status = 'paid' AND o.status = 'delivered' AND o.paid_amount_vnd IS NOT NULL
          AND d.delivered_at < @periodEnd AND d.delivered_at <= @cutoff
          AND NOT EXISTS (SELECT 1 FROM settlement_items i WHERE i.kind = 'transfer' AND i.order_id = o.id)
        ORDER BY 2, 3, 4, 5
        """;

    private const string RunColumns = """
        id, cycle_key AS CycleKey, period_from AS PeriodFrom, period_to AS PeriodTo, status, cutoff_at AS CutoffAt,
        commission_basis_points AS CommissionBasisPoints, started_at AS StartedAt, completed_at AS CompletedAt,
        seller_count AS SellerCount, item_count AS ItemCount, payout_total_vnd AS PayoutTotalVnd
        """;

    public async Task<IReadOnlyList<SettlementRun>> RunsAsync(int limit = 50, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SettlementRun>(
            new CommandDefinition($"SELECT {RunColumns} FROM settlement_runs ORDER BY id DESC LIMIT @limit", new { limit },
            cancellationToken: cancellationToken))).AsList();
    }

    public async Task<SettlementRun?> RunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<SettlementRun>(
            new CommandDefinition($"SELECT {RunColumns} FROM settlement_runs WHERE id = @runId", new { runId },
            cancellationToken: cancellationToken));
    }

    /// <summary>The items of a run; only those of sellers the user is a member of when <paramref name="memberUserId"/> is given.</summary>
    public async Task<IReadOnlyList<SettlementItem>> ItemsAsync(long runId, long? sellerId = null, long? memberUserId = null,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<SettlementItem>(new CommandDefinition("""
            SELECT i.seller_id AS SellerId, s.name AS SellerName, o.code AS OrderCode, i.kind, i.carrier, l.tracking_code AS TrackingCode,
                   i.received_vnd AS ReceivedVnd, i.shipping_fee_vnd AS ShippingFeeVnd, i.cod_fee_vnd AS CodFeeVnd,
                   i.return_fee_vnd AS ReturnFeeVnd, i.commission_vnd AS CommissionVnd, i.net_vnd AS NetVnd
            FROM settlement_items i
            JOIN sellers s ON s.id = i.seller_id
            JOIN orders o ON o.id = i.order_id
            LEFT JOIN cod_statement_lines l ON l.id = i.line_id
            WHERE i.run_id = @runId AND (@sellerId::bigint IS NULL OR i.seller_id = @sellerId)
              AND (@memberUserId::bigint IS NULL OR EXISTS (SELECT 1 FROM seller_members m WHERE m.seller_id = i.seller_id AND m.user_id = @memberUserId))
            ORDER BY s.name, o.code, i.kind
            """, new { runId, sellerId, memberUserId }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<Payout>> PayoutsAsync(long runId, long? sellerId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Payout>(new CommandDefinition("""
            SELECT p.seller_id AS SellerId, s.name AS SellerName, p.amount_vnd AS AmountVnd, p.bank_bin AS BankBin,
                   p.account_number AS AccountNumber, p.account_name AS AccountName, p.status AS Status, p.decided_at AS DecidedAt,
                   p.bank_reference AS BankReference, p.failure_reason AS FailureReason
            FROM payouts p JOIN sellers s ON s.id = p.seller_id
            WHERE p.run_id = @runId AND (@sellerId::bigint IS NULL OR p.seller_id = @sellerId)
            ORDER BY s.name
            """, new { runId, sellerId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// An admin records what the bank did with a pending payout. Paid: the money leaves 'platform:bank'. Failed (wrong
    /// account, refused): the amount goes back to the seller's payable account, so the next cycle pays it again. The
    /// guarded UPDATE and the ledger key make a repeated or concurrent decision a no-op; false when the payout is not
    /// pending (already decided, or unknown). A payout with no receiving account can only fail.
    /// </summary>
    public async Task<bool> DecidePayoutAsync(long runId, long sellerId, PayoutDecision decision, string? bankReference,
        string? failureReason, long adminUserId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var payout = await connection.QuerySingleOrDefaultAsync<(long Amount, string CycleKey)?>(new CommandDefinition("""
            UPDATE payouts p SET status = @status, decided_at = @now, decided_by = @adminUserId,
                                 bank_reference = @bankReference, failure_reason = @failureReason
            FROM settlement_runs r
            WHERE p.run_id = @runId AND p.seller_id = @sellerId AND r.id = p.run_id AND p.status = 'pending'
              AND (@status = 'failed' OR p.account_number IS NOT NULL)
            RETURNING p.amount_vnd, r.cycle_key
            """, new { runId, sellerId, status = decision == PayoutDecision.Paid ? "paid" : "failed", bankReference, failureReason, adminUserId, now }, tx,
            cancellationToken: cancellationToken));
        if (payout is not { } p) return false;
        IReadOnlyList<LedgerLine> lines = decision == PayoutDecision.Paid
            ? [new(Ledger.PayoutsPending, p.Amount, "Đã chuyển khoản"), new(Ledger.PlatformBank, -p.Amount, bankReference ?? "")]
            : [new(Ledger.PayoutsPending, p.Amount, "Chuyển khoản không thành công"), new(Ledger.SellerPayable(sellerId), -p.Amount, failureReason ?? "")];
        await Ledger.PostAsync(connection, tx, $"payout-{(decision == PayoutDecision.Paid ? "sent" : "failed")}:{p.CycleKey}:{sellerId}",
            decision == PayoutDecision.Paid ? $"Đã chi trả {p.CycleKey}" : $"Chi trả {p.CycleKey} không thành công", lines, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The completed runs in which a seller the user is a member of had items or a payout, newest first.</summary>
    public async Task<IReadOnlyList<MemberRun>> RunsForMemberAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<MemberRun>(new CommandDefinition("""
            SELECT r.id AS RunId, r.cycle_key AS CycleKey, x.seller_id AS SellerId, s.name AS SellerName,
                   coalesce((SELECT sum(i.net_vnd) FROM settlement_items i WHERE i.run_id = r.id AND i.seller_id = x.seller_id), 0)::bigint AS NetVnd,
                   coalesce((SELECT p.amount_vnd FROM payouts p WHERE p.run_id = r.id AND p.seller_id = x.seller_id), 0)::bigint AS PayoutVnd
            FROM settlement_runs r
            JOIN (SELECT run_id, seller_id FROM settlement_items UNION SELECT run_id, seller_id FROM payouts) x ON x.run_id = r.id
            JOIN seller_members m ON m.seller_id = x.seller_id AND m.user_id = @userId
            JOIN sellers s ON s.id = x.seller_id
            WHERE r.status = 'completed'
            ORDER BY r.id DESC, s.name
            """, new { userId }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>Whether the user is a member of the seller (statements are shown to members only; 404 for others).</summary>
    public async Task<bool> IsMemberAsync(long userId, long sellerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            new CommandDefinition("SELECT EXISTS (SELECT 1 FROM seller_members WHERE user_id = @userId AND seller_id = @sellerId)", new { userId, sellerId },
            cancellationToken: cancellationToken));
    }

    public async Task<PayoutAccount?> PayoutAccountAsync(long sellerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PayoutAccount>(new CommandDefinition("""
            SELECT bank_bin AS BankBin, account_number AS AccountNumber, account_name AS AccountName
            FROM seller_payout_accounts WHERE seller_id = @sellerId
            """, new { sellerId }, cancellationToken: cancellationToken));
    }

    /// <summary>Sets where a seller is paid (later payouts use it; payouts already made keep the account they were made to).</summary>
    public async Task SavePayoutAccountAsync(long sellerId, PayoutAccount account, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO seller_payout_accounts (seller_id, bank_bin, account_number, account_name, updated_at)
            VALUES (@sellerId, @BankBin, @AccountNumber, @AccountName, @now)
            ON CONFLICT (seller_id) DO UPDATE SET bank_bin = EXCLUDED.bank_bin, account_number = EXCLUDED.account_number,
                                                  account_name = EXCLUDED.account_name, updated_at = EXCLUDED.updated_at
            """, new { sellerId, account.BankBin, account.AccountNumber, account.AccountName, now }, cancellationToken: cancellationToken));
    }

    /// <summary>The bank file of a run's payouts: one line per seller (CSV, UTF-8 with BOM).</summary>
    public static byte[] PayoutCsv(SettlementRun run, IReadOnlyList<Payout> payouts)
    {
        var text = new System.Text.StringBuilder("STT,Mã ngân hàng (BIN),Số tài khoản,Tên người thụ hưởng,Số tiền,Nội dung\r\n");
        var n = 0;
        foreach (var p in payouts)
        {
            var purpose = Slug.ToAscii($"Cho40 quyet toan {run.CycleKey} NB{p.SellerId}");
            text.Append(CultureInfo.InvariantCulture,
                $"{++n},{p.BankBin},{Quote(p.AccountNumber ?? "")},{Quote(Slug.ToAscii(p.AccountName ?? "").ToUpperInvariant())},{p.AmountVnd},{Quote(purpose)}\r\n");
        }
        return [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static string Quote(string text)
    {
        var s = Domain.SpreadsheetText.Neutralise(text);
        return s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }

    private sealed record ItemRow(long RunId, long SellerId, long OrderId, string Kind, long? LineId, string? Carrier, long ReceivedVnd,
        long ShippingFeeVnd, long CodFeeVnd, long ReturnFeeVnd, long CommissionVnd, long NetVnd);
}
