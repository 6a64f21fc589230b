-- Double-entry ledger: every movement of money the platform is responsible for. Entries are signed
-- (debit positive, credit negative), every transaction sums to zero, entries are never changed, and
-- every balance is a sum of entries (ledger_balances).

CREATE TABLE ledger_accounts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 'platform:bank', 'platform:commission', 'carrier:GHN:receivable', 'seller:42:payable', …
    code       text NOT NULL UNIQUE,
    kind       text NOT NULL CHECK (kind IN ('asset', 'liability', 'revenue', 'expense')),
    name       text NOT NULL,
    seller_id  bigint REFERENCES sellers (id),
    carrier    text
);

CREATE TABLE ledger_transactions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What makes posting idempotent: 'settlement:{cycle}:{seller}', 'payout:{cycle}:{seller}', 'remittance:{statement}'.
    idempotency_key  text NOT NULL UNIQUE,
    description      text NOT NULL,
    posted_at        timestamptz NOT NULL
);

CREATE TABLE ledger_entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  bigint NOT NULL REFERENCES ledger_transactions (id),
    account_id      bigint NOT NULL REFERENCES ledger_accounts (id),
    amount_vnd      bigint NOT NULL CHECK (amount_vnd <> 0),
    memo            text NOT NULL DEFAULT ''
);
CREATE INDEX ledger_entries_transaction_idx ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_account_idx ON ledger_entries (account_id);

-- Checked at commit: a transaction whose entries do not sum to zero (or that has none) cannot be committed.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total numeric;
    n     bigint;
BEGIN
    SELECT coalesce(sum(amount_vnd), 0), count(*) INTO total, n
    FROM ledger_entries WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 OR n < 2 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced (sum %, % entries)', NEW.transaction_id, total, n
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_entries_balanced
    AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

-- A transaction must have entries: checked at commit from the transaction's side too.
CREATE FUNCTION ledger_check_transaction_has_entries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_entries WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'ledger transaction % has no entries', NEW.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER ledger_transactions_have_entries
    AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_has_entries();

-- Append-only: a mistake is corrected by a new transaction, never by editing the books.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

-- Balances from entries alone (debit positive: a liability or revenue account normally shows a negative balance).
CREATE VIEW ledger_balances AS
SELECT a.id AS account_id, a.code, a.kind, a.name, a.seller_id, a.carrier,
       coalesce(sum(e.amount_vnd), 0)::bigint AS balance_vnd, count(e.id) AS entry_count
FROM ledger_accounts a
LEFT JOIN ledger_entries e ON e.account_id = a.id
GROUP BY a.id;
