-- A payout is money the platform still has to send: the settlement run moves it from the seller's payable account
-- to 'platform:payouts-pending'; it leaves 'platform:bank' only when an admin confirms the bank transfer was made,
-- or goes back to the seller's payable account (to be paid in a later cycle) when the transfer failed.
ALTER TABLE payouts
    ADD COLUMN status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed')),
    ADD COLUMN decided_at     timestamptz,
    ADD COLUMN decided_by     bigint REFERENCES users (id),
    ADD COLUMN bank_reference text CHECK (length(bank_reference) <= 50),
    ADD COLUMN failure_reason text CHECK (length(failure_reason) <= 300),
    ADD CONSTRAINT payouts_decision_chk CHECK ((status = 'pending') = (decided_at IS NULL)),
    ADD CONSTRAINT payouts_failure_reason_chk CHECK (status <> 'failed' OR failure_reason IS NOT NULL);

-- Runs made before this step posted their payouts straight to 'platform:bank': those payouts count as paid.
UPDATE payouts p SET status = 'paid', decided_at = coalesce(r.completed_at, r.started_at)
FROM settlement_runs r WHERE r.id = p.run_id;
