-- Field conditions (issue 13): what a phone sends again after losing coverage is applied once; a cash sale typed by
-- mistake can be voided by its stall (kept, with who and when); signs printed are remembered for the helper's list.

-- A cash sale carries the key its phone drew when it was typed (offline or not): sent twice, stored once.
ALTER TABLE stall_payments ADD COLUMN idempotency_key uuid;
CREATE UNIQUE INDEX stall_payments_idempotency_idx ON stall_payments (stall_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- A void keeps the payment: totals and reports leave it out from voided_at on (see ReportComputation).
ALTER TABLE stall_payments ADD COLUMN voided_at timestamptz;
ALTER TABLE stall_payments ADD COLUMN voided_by bigint REFERENCES users (id);
ALTER TABLE stall_payments ADD CONSTRAINT stall_payments_void_check
    CHECK ((voided_at IS NULL) = (voided_by IS NULL) AND (voided_at IS NULL OR method = 'cash'));
CREATE INDEX stall_payments_voided_idx ON stall_payments (voided_at) WHERE voided_at IS NOT NULL;

-- A trace event recorded in the field (possibly offline) carries its phone's key too.
ALTER TABLE trace_events ADD COLUMN idempotency_key uuid;
CREATE UNIQUE INDEX trace_events_idempotency_idx ON trace_events (batch_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- A late item is a payment that arrived after its day was reported ('arrival') or a void of a payment an issued report
-- had counted ('void', listed with a negative amount). Each is listed once per scope and kind.
ALTER TABLE daily_report_late_items ADD COLUMN kind text NOT NULL DEFAULT 'arrival' CHECK (kind IN ('arrival', 'void'));
ALTER TABLE daily_report_late_items DROP CONSTRAINT daily_report_late_items_pkey;
ALTER TABLE daily_report_late_items ADD PRIMARY KEY (scope_kind, scope_id, stall_payment_id, kind);

-- Each time a stall's sign was printed (PDF or PNG downloaded): the helper's "sign printed" step.
CREATE TABLE stall_sign_prints (
    stall_id    bigint NOT NULL REFERENCES stalls (id) ON DELETE CASCADE,
    printed_at  timestamptz NOT NULL,
    printed_by  bigint REFERENCES users (id)
);
CREATE INDEX stall_sign_prints_stall_idx ON stall_sign_prints (stall_id, printed_at);
