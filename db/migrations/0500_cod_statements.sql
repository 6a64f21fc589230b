-- COD statements: a carrier's list of shipments it delivered (or returned), with the cash it collected
-- and the fees it kept. Uploaded by an admin, loaded through a staging table, reconciled by a job.

CREATE TABLE cod_statements (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    carrier              text NOT NULL CHECK (length(carrier) BETWEEN 2 AND 50),
    -- Which column set the file used: 'canonical' (our template), 'ghn', 'ghtk'.
    format               text NOT NULL,
    file_name            text NOT NULL,
    -- The same file uploaded twice is the same statement.
    content_sha256       bytea NOT NULL UNIQUE CHECK (length(content_sha256) = 32),
    period_from          date,
    period_to            date,
    line_count           integer NOT NULL DEFAULT 0,
    duplicate_line_count integer NOT NULL DEFAULT 0,
    total_cod_vnd        bigint NOT NULL DEFAULT 0,
    uploaded_by          bigint REFERENCES users (id),
    uploaded_at          timestamptz NOT NULL,
    reconciled_at        timestamptz
);

CREATE TABLE cod_statement_lines (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    statement_id      bigint NOT NULL REFERENCES cod_statements (id),
    row_number        integer NOT NULL,
    carrier           text NOT NULL,
    tracking_code     text NOT NULL CHECK (tracking_code = upper(btrim(tracking_code)) AND tracking_code <> ''),
    order_code        text,
    cod_vnd           bigint NOT NULL CHECK (cod_vnd >= 0),
    shipping_fee_vnd  bigint NOT NULL CHECK (shipping_fee_vnd >= 0),
    cod_fee_vnd       bigint NOT NULL CHECK (cod_fee_vnd >= 0),
    return_fee_vnd    bigint NOT NULL CHECK (return_fee_vnd >= 0),
    status            text NOT NULL CHECK (status IN ('delivered', 'returned', 'lost')),
    delivered_on      date,
    remitted_on       date,
    -- A shipment already listed by an earlier statement is kept (nothing silently dropped) but never counted again.
    duplicate_of      bigint REFERENCES cod_statement_lines (id),
    -- Reconciliation (the job): what the line was matched to and what it means.
    outcome           text NOT NULL DEFAULT 'pending'
                      CHECK (outcome IN ('pending', 'matched', 'amount_mismatch', 'returned', 'unknown_order', 'lost', 'duplicate')),
    order_id          bigint REFERENCES orders (id),
    expected_cod_vnd  bigint,
    -- An admin's decision on a line that needs one (mismatch, unknown, lost).
    decision          text CHECK (decision IN ('accept', 'adjust', 'dispute')),
    decision_cod_vnd  bigint CHECK (decision_cod_vnd >= 0),
    decision_reason   text,
    decided_by        bigint REFERENCES users (id),
    decided_at        timestamptz,
    -- When the line became payable (matched, or an admin accepted/adjusted it): settlement runs take lines ready before their cut-off.
    ready_at          timestamptz,
    settled_run_id    bigint,
    UNIQUE (statement_id, row_number),
    CHECK (decision IS NULL OR length(btrim(decision_reason)) >= 3),
    CHECK ((decision = 'adjust') = (decision_cod_vnd IS NOT NULL))
);
-- Per-line uniqueness: one carrier remits one shipment once, whatever statement period lists it.
CREATE UNIQUE INDEX cod_statement_lines_shipment_idx ON cod_statement_lines (carrier, tracking_code) WHERE duplicate_of IS NULL;
CREATE INDEX cod_statement_lines_statement_idx ON cod_statement_lines (statement_id, row_number);
CREATE INDEX cod_statement_lines_order_idx ON cod_statement_lines (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX cod_statement_lines_review_idx ON cod_statement_lines (outcome) WHERE decision IS NULL AND outcome IN ('amount_mismatch', 'unknown_order', 'lost');

-- The storefront stores the carrier's tracking code on hand-over; reconciliation looks shipments up by it.
CREATE INDEX orders_tracking_code_idx ON orders (upper(btrim(tracking_code))) WHERE tracking_code IS NOT NULL;
