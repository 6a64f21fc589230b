-- Carriers for real (issue 17): statements of any carrier mapped once per carrier, partial deliveries, session-level
-- fees and refunds, and the carriers' own status webhooks (shipments and their status history).

-- ── Statements ────────────────────────────────────────────────────────────────────────────────────────────────
-- 'partial': cash for the delivered part, the rest came back to the seller.
ALTER TABLE cod_statement_lines DROP CONSTRAINT cod_statement_lines_status_check;
ALTER TABLE cod_statement_lines ADD CONSTRAINT cod_statement_lines_status_check
    CHECK (status IN ('delivered', 'partial', 'returned', 'lost'));
-- 'partial': the delivered part's cash is what was expected; 'awaiting_return': a partial delivery whose returned
-- items nobody has recorded yet (what was expected is not known until then).
ALTER TABLE cod_statement_lines DROP CONSTRAINT cod_statement_lines_outcome_check;
ALTER TABLE cod_statement_lines ADD CONSTRAINT cod_statement_lines_outcome_check
    CHECK (outcome IN ('pending', 'matched', 'partial', 'awaiting_return', 'amount_mismatch', 'returned', 'unknown_order', 'lost',
                       'duplicate'));
ALTER TABLE cod_statement_lines
    -- The status as the carrier wrote it ("Giao thành công", "501"), kept beside what it was mapped to.
    ADD COLUMN carrier_status text,
    -- The COD amount the carrier's webhook last reported for the order, when there was one (set by reconciliation).
    ADD COLUMN reported_cod_vnd bigint;

-- Which column of a carrier's file holds which field: confirmed once by an admin, reused for every later file.
-- headers: {"TrackingCode": "Mã đơn GHN", "Cod": "Tiền thu hộ", …} — the header text as the file has it.
CREATE TABLE cod_carrier_mappings (
    carrier       text PRIMARY KEY,
    headers       jsonb NOT NULL,
    confirmed_by  bigint REFERENCES users (id),
    confirmed_at  timestamptz NOT NULL
);

-- A carrier's own status words (folded: no diacritics, lower case, single spaces) → our statement statuses.
CREATE TABLE cod_status_words (
    carrier       text NOT NULL,
    word          text NOT NULL CHECK (length(word) BETWEEN 1 AND 100),
    status        text NOT NULL CHECK (status IN ('delivered', 'partial', 'returned', 'lost')),
    confirmed_by  bigint REFERENCES users (id),
    confirmed_at  timestamptz NOT NULL,
    PRIMARY KEY (carrier, word)
);

-- A file waiting for its carrier's mapping to be confirmed (deleted once imported).
CREATE TABLE cod_uploads (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier         text NOT NULL,
    file_name       text NOT NULL,
    content         bytea NOT NULL,
    uploaded_by     bigint REFERENCES users (id),
    uploaded_at     timestamptz NOT NULL
);

-- Session-level fees and refunds of a statement, not tied to one shipment (GHN's "TẠM THU" / "ĐÃ HOÀN" sheets).
CREATE TABLE cod_statement_adjustments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    statement_id  bigint NOT NULL REFERENCES cod_statements (id),
    kind          text NOT NULL CHECK (kind IN ('fee', 'refund')),
    sheet         text NOT NULL,
    row_number    integer NOT NULL,
    description   text NOT NULL DEFAULT '',
    amount_vnd    bigint NOT NULL CHECK (amount_vnd > 0),
    UNIQUE (statement_id, sheet, row_number)
);

-- ── Partial deliveries ────────────────────────────────────────────────────────────────────────────────────────
-- What came back of a delivered order (the rest was delivered and paid). Recorded once per item; stock restored.
CREATE TABLE order_returned_items (
    order_id      bigint NOT NULL,
    product_id    bigint NOT NULL,
    quantity      integer NOT NULL CHECK (quantity > 0),
    recorded_by   bigint REFERENCES users (id),
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (order_id, product_id),
    FOREIGN KEY (order_id, product_id) REFERENCES order_items (order_id, product_id)
);
ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check;
ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check
    CHECK (kind IN ('placed', 'confirmed', 'shipped', 'delivered', 'returned', 'cancelled', 'paid', 'partly_returned'));

-- ── Carrier webhooks ──────────────────────────────────────────────────────────────────────────────────────────
-- A carrier account the platform receives webhooks for. The secret (GHN: in the URL, GHTK: ?hash=, Viettel Post: TOKEN)
-- is stored encrypted with the data-protection key ring; after a rotation the previous one is accepted until
-- previous_valid_until, so the carrier's side can be changed without losing deliveries.
CREATE TABLE carrier_accounts (
    id                         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier                    text NOT NULL CHECK (carrier IN ('ghn', 'ghtk', 'viettelpost')),
    name                       text NOT NULL CHECK (length(name) BETWEEN 2 AND 100),
    secret_protected           text NOT NULL,
    previous_secret_protected  text,
    previous_valid_until       timestamptz,
    created_by                 bigint REFERENCES users (id),
    created_at                 timestamptz NOT NULL,
    rotated_at                 timestamptz,
    UNIQUE (carrier, name)
);

-- One parcel of one carrier, as its webhooks describe it. status is the highest-ranked known status received
-- (a late "delivering" never overwrites "delivered"); unknown statuses stay in the history only.
CREATE TABLE shipments (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier             text NOT NULL,
    tracking_code       text NOT NULL CHECK (tracking_code = upper(btrim(tracking_code)) AND tracking_code <> ''),
    order_id            bigint REFERENCES orders (id),
    carrier_account_id  bigint REFERENCES carrier_accounts (id),
    status              text,
    status_rank         integer NOT NULL DEFAULT 0,
    status_at           timestamptz,
    cod_reported_vnd    bigint,
    cod_reported_at     timestamptz,
    fee_reported_vnd    bigint,
    partial_return      boolean NOT NULL DEFAULT false,
    updated_at          timestamptz NOT NULL,
    UNIQUE (carrier, tracking_code)
);
CREATE INDEX shipments_order_idx ON shipments (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE shipment_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shipment_id     bigint NOT NULL REFERENCES shipments (id),
    carrier_status  text NOT NULL,
    -- Our status for it, NULL when we do not know the carrier's word (kept and shown as the carrier wrote it).
    status          text,
    status_name     text NOT NULL DEFAULT '',
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    cod_vnd         bigint,
    fee_vnd         bigint,
    partial_return  boolean NOT NULL DEFAULT false,
    reason          text NOT NULL DEFAULT '',
    body            text NOT NULL,
    -- A repeated delivery (same body) is stored once.
    body_sha256     bytea NOT NULL,
    UNIQUE (shipment_id, body_sha256)
);
CREATE INDEX shipment_events_shipment_idx ON shipment_events (shipment_id, occurred_at);
