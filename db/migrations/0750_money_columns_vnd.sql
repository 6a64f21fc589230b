-- One way to name money: every column that holds VND ends in _vnd (orders, ledger, reports and COD already do).
ALTER TABLE payment_requests RENAME COLUMN amount TO amount_vnd;
ALTER TABLE provider_transactions RENAME COLUMN amount TO amount_vnd;
ALTER TABLE stall_payments RENAME COLUMN amount TO amount_vnd;
ALTER TABLE stall_payments RENAME COLUMN expected_amount TO expected_amount_vnd;
ALTER TABLE payment_inbox RENAME COLUMN expected_amount TO expected_amount_vnd;
