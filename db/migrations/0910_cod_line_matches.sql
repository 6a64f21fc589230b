-- COD reconciliation's result out of the statement line (issue 15: reconciliation within 2× of a plain join).
-- A first reconciliation used to UPDATE every line of the statement: a new version of each row in every index of
-- cod_statement_lines (order_id and outcome were indexed, so no HOT update) and a foreign-key check per row — that write,
-- not the matching, was most of its time. The carrier's line is now written once, at import, and never rewritten by
-- reconciliation; what reconciliation found is one narrow row per line here, INSERTed the first time (one
-- INSERT … SELECT) and updated only when a re-run finds something else. Read through the view cod_lines.

CREATE TABLE cod_line_matches (
    -- The line (cod_statement_lines.id) and its statement: the key leads with the statement so that a statement's
    -- matches are one index range (summary, review counts).
    statement_id      bigint NOT NULL,
    line_id           bigint NOT NULL,
    -- The order the line was matched to (NULL: unknown order), what cash the order should bring, and the COD amount
    -- the carrier's webhook last reported for the parcel.
    order_id          bigint,
    expected_cod_vnd  bigint,
    reported_cod_vnd  bigint,
    outcome           text NOT NULL
                      CHECK (outcome IN ('matched', 'partial', 'awaiting_return', 'amount_mismatch', 'returned', 'unknown_order', 'lost')),
    -- When the line became payable (matched/partial/returned, or an admin accepted/adjusted it): settlement runs take
    -- lines ready before their cut-off.
    ready_at          timestamptz,
    PRIMARY KEY (statement_id, line_id),
    CHECK ((order_id IS NULL) = (outcome = 'unknown_order'))
);
-- No foreign keys, on purpose: a row is only ever written by reconciliation from a join of its line and its order in
-- the same statement, and neither lines nor orders are ever deleted. A foreign-key check is a query and a row lock
-- (FOR KEY SHARE) per written row — on the line and on the order — which for 100,000 lines cost more than the rest of the
-- write (measured: docs/quality/benchmarks.md, Settlement).
CREATE INDEX cod_line_matches_order_idx ON cod_line_matches (order_id) WHERE order_id IS NOT NULL;
-- Lines that may wait for an admin (the review page, each statement's count); small: a few per cent of lines.
CREATE INDEX cod_line_matches_review_idx ON cod_line_matches (statement_id)
    WHERE outcome IN ('amount_mismatch', 'unknown_order', 'lost', 'awaiting_return');

-- What earlier reconciliations wrote on the lines.
INSERT INTO cod_line_matches (statement_id, line_id, order_id, expected_cod_vnd, reported_cod_vnd, outcome, ready_at)
SELECT statement_id, id, order_id, expected_cod_vnd, reported_cod_vnd, outcome, ready_at
FROM cod_statement_lines WHERE outcome NOT IN ('pending', 'duplicate');

-- The line keeps what the carrier sent (and the admin's decision, and the run that paid it). 'duplicate' is
-- duplicate_of IS NOT NULL; 'pending' is a line without a match yet. Dropping the columns drops their indexes
-- (order, review) and the order foreign key.
ALTER TABLE cod_statement_lines
    DROP COLUMN outcome,
    DROP COLUMN order_id,
    DROP COLUMN expected_cod_vnd,
    DROP COLUMN reported_cod_vnd,
    DROP COLUMN ready_at;
-- The same two columns as the UNIQUE (statement_id, row_number) constraint's own index: one of them is enough.
DROP INDEX cod_statement_lines_statement_idx;

-- A line as the pages, settlement and reports read it: the carrier's line with what reconciliation found.
CREATE VIEW cod_lines AS
SELECT l.id, l.statement_id, l.row_number, l.carrier, l.tracking_code, l.order_code, l.cod_vnd, l.shipping_fee_vnd, l.cod_fee_vnd,
       l.return_fee_vnd, l.status, l.delivered_on, l.remitted_on, l.duplicate_of, l.carrier_status,
       coalesce(m.outcome, CASE WHEN l.duplicate_of IS NULL THEN 'pending' ELSE 'duplicate' END) AS outcome,
       m.order_id, m.expected_cod_vnd, m.reported_cod_vnd, m.ready_at,
       l.decision, l.decision_cod_vnd, l.decision_reason, l.decided_by, l.decided_at, l.settled_run_id
FROM cod_statement_lines l
LEFT JOIN cod_line_matches m ON m.statement_id = l.statement_id AND m.line_id = l.id;
