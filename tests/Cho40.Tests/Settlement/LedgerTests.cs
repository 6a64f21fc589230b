using Cho40.Db;
using Cho40.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cho40.Tests.Settlement;

public sealed class SettlementLedgerTests(DemoAppFixture fixture) : IClassFixture<DemoAppFixture>
{
    private Cho40App App => fixture.App;
    private Ledger Ledger => App.Services.GetRequiredService<Ledger>();

    private static LedgerLine[] Sale(long sellerId, long amount, long commission) =>
    [
        new(Ledger.CarrierReceivable("GHN"), amount),
        new(Ledger.Commission, -commission),
        new(Ledger.SellerPayable(sellerId), -(amount - commission)),
    ];

    [Fact]
    public async Task Posting_is_idempotent_on_its_key_and_balances_come_from_entries_alone()
    {
        var sellerId = await SettlementData.ScalarAsync<long>(App, "SELECT id FROM sellers WHERE slug = 'htx-che-tan-cuong'");
        var key = "test:" + Guid.NewGuid();
        var now = App.Clock.GetUtcNow();
        Assert.Equal(PostResult.Posted, await Ledger.PostAsync(key, "Bán hàng", Sale(sellerId, 500_000, 25_000), now));
        Assert.Equal(PostResult.AlreadyPosted, await Ledger.PostAsync(key, "Bán hàng", Sale(sellerId, 999_999, 1), now));
        Assert.Equal(3L, await SettlementData.ScalarAsync<long>(App,
            "SELECT count(*) FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE t.idempotency_key = @key", new { key }));

        var payable = await SettlementData.ScalarAsync<long>(App,
            "SELECT coalesce(sum(e.amount_vnd), 0) FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.code = @code",
            new { code = Ledger.SellerPayable(sellerId) });
        Assert.Equal(payable, await Ledger.BalanceAsync(Ledger.SellerPayable(sellerId)));
        Assert.Equal(0L, await SettlementData.ScalarAsync<long>(App, "SELECT coalesce(sum(balance_vnd), 0) FROM ledger_balances"));
        var account = (await Ledger.BalancesAsync()).Single(b => b.Code == Ledger.SellerPayable(sellerId));
        Assert.Equal(("liability", sellerId), (account.Kind, account.SellerId!.Value));
    }

    [Fact]
    public async Task Two_posters_of_the_same_key_at_once_write_it_once()
    {
        var sellerId = await SettlementData.ScalarAsync<long>(App, "SELECT id FROM sellers WHERE slug = 'htx-che-la-bang'");
        var key = "race:" + Guid.NewGuid();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => Ledger.PostAsync(key, "Đua", Sale(sellerId, 100_000, 5_000), App.Clock.GetUtcNow()))));
        Assert.Equal(1, results.Count(r => r == PostResult.Posted));
        Assert.Equal(1L, await SettlementData.ScalarAsync<long>(App, "SELECT count(*) FROM ledger_transactions WHERE idempotency_key = @key", new { key }));
    }

    [Fact]
    public async Task The_database_refuses_an_unbalanced_transaction_and_any_edit()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Ledger.PostAsync("bad:" + Guid.NewGuid(), "Lệch",
            [new(Ledger.PlatformBank, 100), new(Ledger.Commission, -99)], App.Clock.GetUtcNow()));

        // Around the C# check, straight in SQL: the deferred trigger stops the commit.
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await Ledger.PostAsync("ok:" + Guid.NewGuid(), "Đúng", [new(Ledger.PlatformBank, 100), new(Ledger.Commission, -100)], App.Clock.GetUtcNow());
        var sql = """
            BEGIN;
            INSERT INTO ledger_transactions (idempotency_key, description, posted_at) VALUES ('raw-' || gen_random_uuid(), 'x', now());
            INSERT INTO ledger_entries (transaction_id, account_id, amount_vnd)
            SELECT currval(pg_get_serial_sequence('ledger_transactions', 'id')), id, 100 FROM ledger_accounts WHERE code = 'platform:bank';
            COMMIT;
            """;
        var e = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(sql));
        Assert.Contains("unbalanced", e.MessageText);
        await connection.ExecuteAsync("ROLLBACK");
        var empty = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO ledger_transactions (idempotency_key, description, posted_at) VALUES ('empty-' || gen_random_uuid(), 'x', now())"));
        Assert.Contains("no entries", empty.MessageText);

        var edit = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("UPDATE ledger_entries SET amount_vnd = amount_vnd * 2"));
        Assert.Contains("append-only", edit.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("DELETE FROM ledger_transactions"));
        Assert.Equal(0L, await SettlementData.ScalarAsync<long>(App, "SELECT coalesce(sum(amount_vnd), 0) FROM ledger_entries"));
    }
}
