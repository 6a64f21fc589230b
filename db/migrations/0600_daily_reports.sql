-- Daily sales reports: one row per (scope, Vietnam day), computed after the day closes and never changed.
--
-- Definitions (see README "Daily sales reports"):
--  * A day is a calendar day in Asia/Ho_Chi_Minh; its window is [00:00, 24:00) Vietnam time in UTC.
--  * Stall payments count on the day of stall_payments.occurred_at: the bank's transaction time for a QR
--    transfer, the time the stallholder logged it for cash. Methods: 'cash', 'qr'.
--  * Shop orders count on the day they were placed (orders.created_at). Methods: 'qr' (transfer), 'cod'.
--    Revenue is the goods value (subtotal, without the delivery fee) of orders not cancelled or returned
--    when the report is computed; cancelled/returned orders of the day are counted apart.
--  * A report covers what was recorded (stall_payments.recorded_at, orders.created_at) before its cutoff
--    (computed_at). A stall payment of an already-reported day recorded after that day's cutoff is a late
--    arrival: it is listed, with its own day, in the NEXT report computed for its stall and market — the
--    recording times between two consecutive cutoffs belong to exactly one report.
--  * Cashless share = QR transfer amount / (QR + cash + COD amount), in basis points (0–10000).

-- One row per computed day: the day's cutoff and the previous one bound the late arrivals it takes.
CREATE TABLE daily_report_days (
    report_day       date PRIMARY KEY,
    window_start     timestamptz NOT NULL,
    window_end       timestamptz NOT NULL,
    -- Everything recorded before this instant is in the day's reports; later arrivals are late.
    computed_at      timestamptz NOT NULL UNIQUE,
    -- The cutoff of the day computed just before this one (late arrivals are recorded in [previous, computed_at)).
    previous_cutoff  timestamptz,
    scope_count      integer NOT NULL,
    late_count       integer NOT NULL,
    duration_ms      integer NOT NULL,
    CHECK (window_end <= computed_at),
    CHECK (previous_cutoff IS NULL OR previous_cutoff < computed_at)
);

CREATE TABLE daily_reports (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope_kind         text NOT NULL CHECK (scope_kind IN ('stall', 'seller', 'market')),
    scope_id           bigint NOT NULL,
    -- The day row is written last, in the same transaction, with the computation's figures.
    report_day         date NOT NULL REFERENCES daily_report_days (report_day) DEFERRABLE INITIALLY DEFERRED,
    computed_at        timestamptz NOT NULL,
    -- By payment method: cash (at a stall), QR transfer (stall sign or shop order), COD (shop order).
    cash_count         integer NOT NULL DEFAULT 0,
    cash_vnd           bigint NOT NULL DEFAULT 0,
    qr_count           integer NOT NULL DEFAULT 0,
    qr_vnd             bigint NOT NULL DEFAULT 0,
    cod_count          integer NOT NULL DEFAULT 0,
    cod_vnd            bigint NOT NULL DEFAULT 0,
    total_count        integer GENERATED ALWAYS AS (cash_count + qr_count + cod_count) STORED,
    total_vnd          bigint GENERATED ALWAYS AS (cash_vnd + qr_vnd + cod_vnd) STORED,
    -- Orders placed that day but cancelled or returned by the cutoff (not in the revenue above).
    cancelled_count    integer NOT NULL DEFAULT 0,
    -- QR payments flagged short against their request (stalls and markets).
    short_count        integer NOT NULL DEFAULT 0,
    cashless_share_bp  integer CHECK (cashless_share_bp BETWEEN 0 AND 10000),
    -- Comparisons with the stored reports of the previous day and of the 7 days before (those that exist).
    previous_day_vnd   bigint,
    avg7_vnd           bigint,
    avg7_days          integer NOT NULL DEFAULT 0,
    -- Late arrivals counted in this report (listed in daily_report_late_items).
    late_count         integer NOT NULL DEFAULT 0,
    late_vnd           bigint NOT NULL DEFAULT 0,
    -- Top products (sellers) or top stalls (markets): [{"id":…, "name":…, "quantity":…, "vnd":…}, …].
    top                jsonb NOT NULL DEFAULT '[]',
    UNIQUE (scope_kind, scope_id, report_day)
);
CREATE INDEX daily_reports_day_idx ON daily_reports (report_day, scope_kind);

-- Late arrivals, each listed once per scope: the unique key makes "late in exactly one report" a database rule.
CREATE TABLE daily_report_late_items (
    report_id         bigint NOT NULL REFERENCES daily_reports (id),
    scope_kind        text NOT NULL,
    scope_id          bigint NOT NULL,
    stall_payment_id  bigint NOT NULL REFERENCES stall_payments (id),
    original_day      date NOT NULL,
    method            text NOT NULL,
    amount_vnd        bigint NOT NULL,
    occurred_at       timestamptz NOT NULL,
    recorded_at       timestamptz NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, stall_payment_id)
);
CREATE INDEX daily_report_late_items_report_idx ON daily_report_late_items (report_id);

-- Reports, once issued, do not change: no UPDATE, no DELETE.
CREATE FUNCTION f_daily_reports_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'daily reports are immutable (% on %)', TG_OP, TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER daily_report_days_immutable BEFORE UPDATE OR DELETE ON daily_report_days
    FOR EACH ROW EXECUTE FUNCTION f_daily_reports_immutable();
CREATE TRIGGER daily_reports_immutable BEFORE UPDATE OR DELETE ON daily_reports
    FOR EACH ROW EXECUTE FUNCTION f_daily_reports_immutable();
CREATE TRIGGER daily_report_late_items_immutable BEFORE UPDATE OR DELETE ON daily_report_late_items
    FOR EACH ROW EXECUTE FUNCTION f_daily_reports_immutable();
CREATE TRIGGER daily_report_days_no_truncate BEFORE TRUNCATE ON daily_report_days
    FOR EACH STATEMENT EXECUTE FUNCTION f_daily_reports_immutable();
CREATE TRIGGER daily_reports_no_truncate BEFORE TRUNCATE ON daily_reports
    FOR EACH STATEMENT EXECUTE FUNCTION f_daily_reports_immutable();

-- An admin's backfill of a date range: one Hangfire job per day, chained in day order; progress per day.
CREATE TABLE report_backfills (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_day      date NOT NULL,
    to_day        date NOT NULL,
    requested_by  bigint REFERENCES users (id),
    requested_at  timestamptz NOT NULL,
    CHECK (from_day <= to_day AND to_day - from_day < 366)
);
CREATE TABLE report_backfill_days (
    backfill_id   bigint NOT NULL REFERENCES report_backfills (id) ON DELETE CASCADE,
    report_day    date NOT NULL,
    job_id        text,
    -- queued → running → computed (this job stored it) | already (it existed) | failed (Hangfire retries it).
    status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'computed', 'already', 'failed')),
    error         text,
    finished_at   timestamptz,
    PRIMARY KEY (backfill_id, report_day)
);

-- The day's window and the late-arrival window are range scans by time.
CREATE INDEX stall_payments_occurred_idx ON stall_payments (occurred_at);
CREATE INDEX stall_payments_recorded_idx ON stall_payments (recorded_at);
CREATE INDEX orders_created_idx ON orders (created_at);
