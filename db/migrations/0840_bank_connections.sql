-- Bank connections (issue 14): each stall connects the notification service that watches ITS OWN bank account, and the
-- platform's collection account has a connection of its own. A connection has its own webhook address (an unguessable
-- token in the path) and its own secrets, and a delivery it authenticates may book money only to its own accounts.
-- A recurring job also pulls each connection's recent transactions from the service's API (the safety net) into the
-- same intake. The old global secret per provider (Cho40:Webhooks:{provider}:Secret) is gone.

-- Secrets the platform keeps for integrations (bank connections now; carriers may use it too): ciphertext of ASP.NET
-- data protection (key ring in data_protection_keys) under a purpose per owner kind and name, so that a value sealed
-- for one use cannot be opened as another. The current one has retires_at NULL; a rotated one is still accepted until
-- its retires_at (grace period); a revoked owner's secrets all retire at once.
CREATE TABLE integration_secrets (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_kind  text NOT NULL CHECK (owner_kind ~ '^[a-z_]{1,40}$'),
    owner_id    bigint NOT NULL,
    name        text NOT NULL CHECK (name ~ '^[a-z_]{1,40}$'),
    sealed      text NOT NULL,
    -- The last characters, so a person can tell which key is which without seeing it.
    hint        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    retires_at  timestamptz
);
CREATE UNIQUE INDEX integration_secrets_current_key ON integration_secrets (owner_kind, owner_id, name) WHERE retires_at IS NULL;
CREATE INDEX integration_secrets_owner_idx ON integration_secrets (owner_kind, owner_id, name, created_at DESC);

CREATE TABLE bank_connections (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- In the webhook address /api/bank-notifications/{provider}/{token}: 128 random bits, base64url.
    token             text NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{22}$'),
    provider          text NOT NULL CHECK (provider IN ('sepay', 'casso', 'payos')),
    -- The stall whose account it watches; NULL: the platform's collection account.
    stall_id          bigint REFERENCES stalls (id),
    -- How deliveries prove they come from the service: SePay 'apikey' | 'hmac' | 'oauth2', Casso 'signature' (webhook
    -- v2) | 'secure_token' (v1), payOS 'checksum'. There is no "no authentication".
    auth_mode         text NOT NULL CHECK (auth_mode IN ('apikey', 'hmac', 'oauth2', 'signature', 'secure_token', 'checksum')),
    -- The service's transactions API the safety net reads ('none' until an API token is given).
    sync_api          text NOT NULL DEFAULT 'none' CHECK (sync_api IN ('none', 'sepay_v1', 'sepay_v2', 'casso_v2')),
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    created_at        timestamptz NOT NULL,
    created_by        bigint REFERENCES users (id),
    revoked_at        timestamptz,
    revoked_by        bigint REFERENCES users (id),
    last_delivery_at  timestamptz,
    -- The service's test delivery ("Kiểm tra kết nối"): stored, never counted as money.
    last_test_at      timestamptz,
    sync_cursor       text,
    last_synced_at    timestamptz,
    last_sync_error   text,
    sync_failures     int NOT NULL DEFAULT 0,
    -- One sync at a time per connection, whichever job process runs it.
    sync_lease_until  timestamptz,
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CHECK (provider <> 'sepay' OR auth_mode IN ('apikey', 'hmac', 'oauth2')),
    CHECK (provider <> 'casso' OR auth_mode IN ('signature', 'secure_token')),
    CHECK (provider <> 'payos' OR auth_mode = 'checksum')
);
-- One working connection per stall, and one for the collection account.
CREATE UNIQUE INDEX bank_connections_active_stall_key ON bank_connections (stall_id) WHERE status = 'active' AND stall_id IS NOT NULL;
CREATE UNIQUE INDEX bank_connections_active_platform_key ON bank_connections ((stall_id IS NULL)) WHERE status = 'active' AND stall_id IS NULL;

-- SePay's OAuth 2.0 mode: SePay trades the connection's client id and secret for an access token at our token endpoint,
-- then sends it as a Bearer token. Only the SHA-256 of a token is kept.
CREATE TABLE bank_connection_access_tokens (
    token_hash     bytea PRIMARY KEY,
    connection_id  bigint NOT NULL REFERENCES bank_connections (id),
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX bank_connection_access_tokens_connection_idx ON bank_connection_access_tokens (connection_id, expires_at);

-- Deliveries and transactions remember the connection they came through, and how: a webhook or the safety net's pull.
-- A delivery that is the service's test is kept as 'test'; one that cannot be money (amount ≤ 0, no account) 'invalid'.
ALTER TABLE bank_notifications
    ADD COLUMN connection_id bigint REFERENCES bank_connections (id),
    ADD COLUMN source text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'sync'));
ALTER TABLE bank_notifications DROP CONSTRAINT bank_notifications_status_check;
ALTER TABLE bank_notifications ADD CONSTRAINT bank_notifications_status_check
    CHECK (status IN ('received', 'processed', 'invalid', 'test'));
CREATE INDEX bank_notifications_connection_idx ON bank_notifications (connection_id, received_at DESC);

ALTER TABLE provider_transactions
    ADD COLUMN connection_id bigint REFERENCES bank_connections (id),
    ADD COLUMN source text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'sync')),
    -- payOS: the orderCode of the payment link paid (shop orders are matched by it).
    ADD COLUMN provider_order_code text,
    -- A second key for one transaction seen through two doors whose ids differ (SePay's webhook and API v1 say a number,
    -- its API v2 a UUID): account, bank reference and amount. Checked under an advisory lock, not unique (banks reuse a
    -- reference now and then on other accounts and days; the amount and account make a clash practically impossible).
    ADD COLUMN dedup_key text;
CREATE INDEX provider_transactions_dedup_idx ON provider_transactions (provider, dedup_key) WHERE dedup_key IS NOT NULL;

-- A stall payment above the ceiling (Cho40:Payments:StallPaymentCeilingVnd) is booked and also shown to the market.
ALTER TABLE payment_inbox DROP CONSTRAINT payment_inbox_reason_check;
ALTER TABLE payment_inbox ADD CONSTRAINT payment_inbox_reason_check
    CHECK (reason IN ('unmatched', 'short', 'over', 'expired_request', 'order_amount_mismatch', 'order_already_paid',
                      'ambiguous_account', 'above_ceiling'));

-- payOS payment links for transfer orders when the collection account's connection is payOS. Created by a retrying job
-- after checkout (checkout never waits for payOS); orderCode = order id + Cho40:Payments:PayOsOrderCodeOffset.
CREATE TABLE payos_payment_links (
    order_id         bigint PRIMARY KEY REFERENCES orders (id),
    connection_id    bigint NOT NULL REFERENCES bank_connections (id),
    order_code       bigint NOT NULL UNIQUE,
    amount_vnd       bigint NOT NULL CHECK (amount_vnd > 0),
    description      text NOT NULL,
    return_url       text NOT NULL,
    cancel_url       text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'created', 'failed')),
    payment_link_id  text,
    checkout_url     text,
    qr_code          text,
    bin              text,
    account_number   text,
    account_name     text,
    attempts         int NOT NULL DEFAULT 0,
    last_error       text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX payos_payment_links_account_idx ON payos_payment_links (account_number) WHERE account_number IS NOT NULL;
