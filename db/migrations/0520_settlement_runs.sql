-- Settlement runs: one per cycle (a date range in Vietnam time), what each seller was paid for, and the payouts.

CREATE TABLE settlement_runs (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 'YYYY-MM-DD..YYYY-MM-DD' (inclusive Vietnam dates): the key that makes a run happen once.
    cycle_key                text NOT NULL UNIQUE,
    period_from              date NOT NULL,
    period_to                date NOT NULL CHECK (period_to >= period_from),
    status                   text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
    -- Fixed by the first attempt: a retry after a crash sees exactly the same lines and orders.
    cutoff_at                timestamptz NOT NULL,
    commission_basis_points  integer NOT NULL CHECK (commission_basis_points BETWEEN 0 AND 10000),
    started_at               timestamptz NOT NULL,
    completed_at             timestamptz,
    seller_count             integer NOT NULL DEFAULT 0,
    item_count               integer NOT NULL DEFAULT 0,
    payout_total_vnd         bigint NOT NULL DEFAULT 0
);

ALTER TABLE cod_statement_lines
    ADD CONSTRAINT cod_statement_lines_settled_run_fk FOREIGN KEY (settled_run_id) REFERENCES settlement_runs (id);

-- Each order line of a seller's statement: what came in, what was taken off, what the seller gets.
CREATE TABLE settlement_items (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id            bigint NOT NULL REFERENCES settlement_runs (id),
    seller_id         bigint NOT NULL REFERENCES sellers (id),
    order_id          bigint NOT NULL REFERENCES orders (id),
    -- 'cod' (a carrier's statement line: delivered, returned or lost) or 'transfer' (VietQR paid to the platform).
    kind              text NOT NULL CHECK (kind IN ('cod', 'transfer')),
    line_id           bigint REFERENCES cod_statement_lines (id),
    carrier           text,
    received_vnd      bigint NOT NULL,
    shipping_fee_vnd  bigint NOT NULL,
    cod_fee_vnd       bigint NOT NULL,
    return_fee_vnd    bigint NOT NULL,
    commission_vnd    bigint NOT NULL,
    net_vnd           bigint NOT NULL,
    CHECK (net_vnd = received_vnd - shipping_fee_vnd - cod_fee_vnd - return_fee_vnd - commission_vnd),
    CHECK ((kind = 'cod') = (line_id IS NOT NULL)),
    -- Paid once, ever: a statement line once, a transfer order once.
    UNIQUE (kind, order_id, line_id)
);
CREATE UNIQUE INDEX settlement_items_line_idx ON settlement_items (line_id) WHERE line_id IS NOT NULL;
CREATE UNIQUE INDEX settlement_items_transfer_idx ON settlement_items (order_id) WHERE kind = 'transfer';
CREATE INDEX settlement_items_seller_idx ON settlement_items (seller_id, run_id);

-- Where a seller is paid. Entered by the seller or an admin; a payout without one waits in the batch, flagged.
CREATE TABLE seller_payout_accounts (
    seller_id       bigint PRIMARY KEY REFERENCES sellers (id),
    bank_bin        text NOT NULL CHECK (bank_bin ~ '^[0-9]{6}$'),
    account_number  text NOT NULL CHECK (account_number ~ '^[0-9A-Za-z]{4,19}$'),
    account_name    text NOT NULL CHECK (length(account_name) BETWEEN 2 AND 100),
    updated_at      timestamptz NOT NULL
);

CREATE TABLE payouts (
    run_id          bigint NOT NULL REFERENCES settlement_runs (id),
    seller_id       bigint NOT NULL REFERENCES sellers (id),
    amount_vnd      bigint NOT NULL CHECK (amount_vnd > 0),
    bank_bin        text,
    account_number  text,
    account_name    text,
    PRIMARY KEY (run_id, seller_id)
);
