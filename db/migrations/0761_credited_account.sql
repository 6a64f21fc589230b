-- Money goes only where it was sent (issue 12). Every provider transaction records whose account the bank credited:
-- the platform's collection account ('platform'), one stall's linked or virtual account ('stall' + that stall), no
-- account we know ('unknown') or accounts of more than one owner ('ambiguous'). Shop orders are paid only by
-- 'platform' transfers and a stall's charge requests and static sign only by transfers credited to that stall; the
-- foreign key below makes the second rule structural: a stall payment for a transfer can only name the stall credited.
-- NULL credited_to: recorded before this migration, or a row written directly (fixtures) — never by the intake.

-- The virtual account (VA) a notification service may report for a stall's account (SePay subAccount, payOS
-- virtualAccountNumber). Letters and digits, as payOS writes them (mixed case); one stall per VA.
ALTER TABLE stall_bank_accounts ADD COLUMN virtual_account text CHECK (virtual_account ~ '^[0-9A-Za-z]{1,19}$');
CREATE UNIQUE INDEX stall_bank_accounts_virtual_account_key ON stall_bank_accounts (virtual_account);

ALTER TABLE provider_transactions
    ADD COLUMN virtual_account text NOT NULL DEFAULT '',
    ADD COLUMN credited_to text CHECK (credited_to IN ('platform', 'stall', 'unknown', 'ambiguous')),
    ADD COLUMN credited_stall_id bigint REFERENCES stalls (id),
    ADD CONSTRAINT provider_transactions_credited_stall_check
        CHECK ((credited_stall_id IS NULL OR credited_to = 'stall') AND (credited_to IS DISTINCT FROM 'stall' OR credited_stall_id IS NOT NULL));

-- What was booked before this migration is taken as it was booked.
UPDATE provider_transactions t SET credited_to = 'stall', credited_stall_id = p.stall_id
FROM stall_payments p WHERE p.provider_transaction_id = t.id;

ALTER TABLE provider_transactions ADD CONSTRAINT provider_transactions_id_credited_stall_key UNIQUE (id, credited_stall_id);
ALTER TABLE stall_payments ADD CONSTRAINT stall_payments_credited_stall_fkey
    FOREIGN KEY (provider_transaction_id, stall_id) REFERENCES provider_transactions (id, credited_stall_id);

-- A transfer whose reported accounts belong to more than one owner: a person decides, nothing is booked.
ALTER TABLE payment_inbox DROP CONSTRAINT payment_inbox_reason_check;
ALTER TABLE payment_inbox ADD CONSTRAINT payment_inbox_reason_check
    CHECK (reason IN ('unmatched', 'short', 'over', 'expired_request', 'order_amount_mismatch', 'order_already_paid',
                      'ambiguous_account'));
