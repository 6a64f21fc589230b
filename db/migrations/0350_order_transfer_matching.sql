-- Bank transfers to the platform's collection account pay shop orders (matched by order code in the
-- purpose). A transfer that names an order but does not pay it exactly, or pays an order already paid,
-- waits in the same inbox as the stalls' unmatched money, with the order it named.
ALTER TABLE payment_inbox ADD COLUMN order_id bigint REFERENCES orders (id);
ALTER TABLE payment_inbox DROP CONSTRAINT payment_inbox_reason_check;
ALTER TABLE payment_inbox ADD CONSTRAINT payment_inbox_reason_check
    CHECK (reason IN ('unmatched', 'short', 'over', 'expired_request', 'order_amount_mismatch', 'order_already_paid'));
