-- Issue 12: sessions that end, and sign-in failures slowed per client instead of locking the account for everyone.

-- Every sign-in cookie carries the stamp it was issued with; a cookie whose stamp is no longer the user's is refused.
-- A new stamp (sign-out, password change, role removal, "sign out other devices") ends every older cookie.
ALTER TABLE users ADD COLUMN security_stamp uuid NOT NULL DEFAULT gen_random_uuid();

-- The account-wide lock (5 failures → locked for everyone) let anyone lock anyone out: replaced by the throttle below.
-- users.failed_sign_ins and users.locked_until are no longer read or written; they stay until a later release so that
-- the previous version keeps working during a rolling upgrade (docs/operations/deploy.md), then go.

-- Guesses at one activation code, counted before the code is checked: a code dies after a few wrong tries.
ALTER TABLE account_activation_codes ADD COLUMN attempts integer NOT NULL DEFAULT 0;

-- Failed attempts to prove a secret (password, activation code), counted BEFORE the check (so parallel requests
-- cannot all pass a check made at their start), per scope:
--   pair    phone + client network (IPv4 address / IPv6 /64)     device  phone + a trusted-device cookie
--   client  client network, any phone                           phone   any client without that phone's device cookie
-- A scope is refused until blocked_until; each failure past the scope's free allowance doubles the wait.
CREATE TABLE sign_in_throttle (
    scope            text NOT NULL CHECK (scope IN ('pair', 'device', 'client', 'phone')),
    key              text NOT NULL CHECK (length(key) <= 200),
    failures         integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
    blocked_until    timestamptz,
    last_failure_at  timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX sign_in_throttle_age_idx ON sign_in_throttle (last_failure_at);
