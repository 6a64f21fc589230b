-- Issue 16: an unpaid transfer order keeps its goods until a time the shopper is told at checkout ("Đơn được giữ
-- đến …"); the expiry job cancels it after that. Stored, not computed, so the page always shows what was promised.
-- Orders placed before this migration (and the demo's) have none and never expire.
ALTER TABLE orders ADD COLUMN reserved_until timestamptz;

CREATE INDEX orders_reservation_due_idx ON orders (reserved_until)
    WHERE reserved_until IS NOT NULL AND payment_status = 'unpaid' AND status = 'placed';
