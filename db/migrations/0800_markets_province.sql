-- Markets and the province at a glance: public market pages (details a manager edits, a photo), the province viewer
-- role and the provinces each viewer may see, and the province aggregates the dashboard and the open data read
-- (refreshed nightly from the stored daily reports: see docs/features/province.md).

-- ---- markets: what the public page shows -------------------------------------------------------------------------
ALTER TABLE markets
    ADD COLUMN description     text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    ADD COLUMN description_en  text NOT NULL DEFAULT '' CHECK (length(description_en) <= 2000),
    -- Opening hours, Vietnam wall-clock time. A night market may close after midnight (closes_at < opens_at).
    ADD COLUMN opens_at        time,
    ADD COLUMN closes_at       time,
    ADD COLUMN hours_note      text NOT NULL DEFAULT '' CHECK (length(hours_note) <= 200),
    ADD COLUMN hours_note_en   text NOT NULL DEFAULT '' CHECK (length(hours_note_en) <= 200),
    -- The market's photo: the SHA-256 of an original in media_blobs (stored once, like product photos).
    ADD COLUMN photo_sha256    text REFERENCES media_blobs (sha256),
    ADD COLUMN updated_at      timestamptz,
    ADD COLUMN updated_by      bigint REFERENCES users (id),
    ADD CONSTRAINT markets_hours_pair CHECK ((opens_at IS NULL) = (closes_at IS NULL) AND (opens_at IS NULL OR opens_at <> closes_at)),
    ADD CONSTRAINT markets_name_length CHECK (length(name) BETWEEN 2 AND 200);

-- When a stall's sign was first linked to a bank account ("stalls with a QR sign" at the end of a week or month).
-- Changing the account later does not move it. Existing rows: the stall's creation, when accounts were linked.
ALTER TABLE stall_bank_accounts ADD COLUMN linked_at timestamptz;
UPDATE stall_bank_accounts b SET linked_at = least(s.created_at, b.updated_at) FROM stalls s WHERE s.id = b.stall_id;
ALTER TABLE stall_bank_accounts ALTER COLUMN linked_at SET DEFAULT now(), ALTER COLUMN linked_at SET NOT NULL;

-- ---- the province viewer -----------------------------------------------------------------------------------------
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('admin', 'market_manager', 'seller_member', 'stallholder', 'digital_helper', 'province_viewer'));

-- The provinces a province viewer sees (admins see every province without a row here).
CREATE TABLE province_viewers (
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    province_code text NOT NULL REFERENCES provinces (code),
    PRIMARY KEY (user_id, province_code)
);

-- ---- province aggregates -----------------------------------------------------------------------------------------
-- One row per (period, scope): a province, a commune of it (sellers and the markets located there; commune_code NULL
-- for markets/sellers with no commune recorded) or a market. Periods: ISO weeks (Monday–Sunday) and calendar months
-- of Vietnam days. Rebuilt as a whole, in one transaction, by the nightly province job; readers see the previous
-- build until it commits. Definitions: docs/features/province.md.
CREATE TABLE province_stats (
    period_kind         text NOT NULL CHECK (period_kind IN ('week', 'month')),
    period_start        date NOT NULL,
    period_end          date NOT NULL,               -- exclusive
    -- Days of the period with a stored daily report (the period is complete when this equals its length).
    days_reported       integer NOT NULL,
    scope_kind          text NOT NULL CHECK (scope_kind IN ('province', 'commune', 'market')),
    scope_key           text NOT NULL,               -- province code | province/commune (or province/-) | market id
    province_code       text NOT NULL REFERENCES provinces (code),
    commune_code        text REFERENCES communes (code),
    market_id           bigint REFERENCES markets (id),
    markets             integer NOT NULL,
    -- Stalls (markets, and summed into communes and provinces).
    stalls              integer NOT NULL,
    stalls_qr_sign      integer NOT NULL,
    stalls_active       integer NOT NULL,
    stalls_paid_qr      integer NOT NULL,
    stalls_paid_cash    integer NOT NULL,
    payments_qr         bigint NOT NULL,
    payments_cash       bigint NOT NULL,
    takings_qr_vnd      bigint NOT NULL,
    takings_cash_vnd    bigint NOT NULL,
    -- Sellers (communes and provinces; NULL on market rows: sellers do not belong to markets).
    sellers_online      integer,
    products_online     integer,
    sellers_traceable   integer,
    products_traceable  integer,
    sellers_scanned     integer,
    trace_scans         bigint,
    sellers_with_orders integer,
    orders              integer,
    orders_vnd          bigint,
    sellers_with_cod    integer,
    cod_orders          integer,
    cod_vnd             bigint,
    PRIMARY KEY (period_kind, period_start, scope_kind, scope_key),
    CHECK (period_end > period_start)
);
CREATE INDEX province_stats_province_idx ON province_stats (province_code, period_kind, period_start, scope_kind);
CREATE INDEX province_stats_market_idx ON province_stats (market_id, period_kind, period_start) WHERE market_id IS NOT NULL;

-- Each rebuild: when, the report days it covered, how long it took.
CREATE TABLE province_refreshes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    refreshed_at  timestamptz NOT NULL,
    first_day     date,
    last_day      date,
    row_count     integer NOT NULL,
    duration_ms   integer NOT NULL
);
