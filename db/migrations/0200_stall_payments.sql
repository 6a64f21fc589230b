-- Stall payments: the bank account a stall's sign pays into, dynamic payment requests ("Thu tiền"),
-- bank-notification intake (raw deliveries → provider transactions → applied payments) and the inbox
-- for money nobody could match. Money is bigint VND; times are timestamptz (UTC).

-- The account printed on the stall's sign. One per stall; changing it means printing a new sign.
CREATE TABLE stall_bank_accounts (
    stall_id        bigint PRIMARY KEY REFERENCES stalls (id) ON DELETE CASCADE,
    bank_bin        text NOT NULL CHECK (bank_bin ~ '^[0-9]{6}$'),
    account_number  text NOT NULL CHECK (account_number ~ '^[0-9]{1,19}$'),
    -- 'account' pays to an account number (QRIBFTTA), 'card' to a card number (QRIBFTTC).
    service         text NOT NULL DEFAULT 'account' CHECK (service IN ('account', 'card')),
    -- Upper-case ASCII, as banks show it ("LE THI HOA").
    account_holder  text NOT NULL CHECK (account_holder ~ '^[A-Z0-9 .\-]{2,70}$'),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      bigint REFERENCES users (id)
);
-- Static-sign payments are matched to the stall by the receiving account number.
CREATE INDEX stall_bank_accounts_account_idx ON stall_bank_accounts (account_number);

-- A request to pay an exact amount, shown as a dynamic QR whose purpose carries the reference.
CREATE TABLE payment_requests (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stall_id      bigint NOT NULL REFERENCES stalls (id),
    -- Six characters of an unambiguous alphabet, printed as "C40 7KQ3XM"; unique for ever.
    reference     text NOT NULL UNIQUE CHECK (reference ~ '^[0-9A-Z]{6}$'),
    amount        bigint NOT NULL CHECK (amount > 0 AND amount < 500000000),
    payload       text NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'underpaid', 'cancelled')),
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    paid_at       timestamptz
);
CREATE INDEX payment_requests_stall_idx ON payment_requests (stall_id, created_at DESC);

-- Every authenticated delivery, stored raw before anything else is done with it.
CREATE TABLE bank_notifications (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider     text NOT NULL,
    raw_body     text NOT NULL,
    received_at  timestamptz NOT NULL,
    -- 'received' → 'processed' (or 'invalid' when the body could not be read).
    status       text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'invalid')),
    error        text
);

-- One row per transaction a provider told us about, whatever number of times it told us.
CREATE TABLE provider_transactions (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider           text NOT NULL,
    provider_txn_id    text NOT NULL,
    notification_id    bigint NOT NULL REFERENCES bank_notifications (id),
    account_number     text NOT NULL DEFAULT '',
    amount             bigint NOT NULL,
    content            text NOT NULL DEFAULT '',
    bank_reference     text,
    -- The time the bank gives for the transaction: reports count the day by it.
    transaction_time   timestamptz NOT NULL,
    received_at        timestamptz NOT NULL,
    UNIQUE (provider, provider_txn_id)
);

-- Money that counts towards a stall's takings: a matched transfer, or cash the stallholder logged.
CREATE TABLE stall_payments (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stall_id                 bigint NOT NULL REFERENCES stalls (id),
    method                   text NOT NULL CHECK (method IN ('qr', 'cash')),
    amount                   bigint NOT NULL CHECK (amount > 0),
    -- For a transfer: the bank's transaction time; for cash: when it was logged.
    occurred_at              timestamptz NOT NULL,
    recorded_at              timestamptz NOT NULL,
    provider_transaction_id  bigint UNIQUE REFERENCES provider_transactions (id),
    payment_request_id       bigint REFERENCES payment_requests (id),
    -- 'ok', or 'short' / 'over' against the request it paid.
    check_result             text NOT NULL DEFAULT 'ok' CHECK (check_result IN ('ok', 'short', 'over')),
    expected_amount          bigint,
    note                     text NOT NULL DEFAULT '',
    recorded_by              bigint REFERENCES users (id),
    CHECK ((method = 'qr') = (provider_transaction_id IS NOT NULL))
);
CREATE INDEX stall_payments_day_idx ON stall_payments (stall_id, occurred_at);

-- Transfers a person must look at: nothing matched, or the amount differs from the request.
CREATE TABLE payment_inbox (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_transaction_id  bigint NOT NULL REFERENCES provider_transactions (id),
    reason                   text NOT NULL CHECK (reason IN ('unmatched', 'short', 'over', 'expired_request')),
    stall_id                 bigint REFERENCES stalls (id),
    payment_request_id       bigint REFERENCES payment_requests (id),
    expected_amount          bigint,
    created_at               timestamptz NOT NULL,
    resolved_at              timestamptz,
    resolved_by              bigint REFERENCES users (id),
    UNIQUE (provider_transaction_id, reason)
);
CREATE INDEX payment_inbox_open_idx ON payment_inbox (created_at DESC) WHERE resolved_at IS NULL;

-- A stall owner created by a helper has no password yet: the helper hands them a one-time code.
CREATE TABLE account_activation_codes (
    user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash    text NOT NULL,
    created_by   bigint REFERENCES users (id),
    expires_at   timestamptz NOT NULL
);
