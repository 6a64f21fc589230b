-- Foundation: accounts and roles, administrative units, markets and stalls, sellers, catalog.
-- Money is bigint VND; times are timestamptz (UTC).

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE; this wrapper pins the dictionary so it can be used in generated
-- columns and indexes.
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- Folded form used for search: no diacritics (đ → d too), lower case.
CREATE OR REPLACE FUNCTION f_search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(f_unaccent($1)) $$;

-- Two-level administrative units in force since 1 July 2025 (Resolution 202/2025/QH15).
CREATE TABLE provinces (
    code        text PRIMARY KEY,
    name        text NOT NULL,
    name_folded text GENERATED ALWAYS AS (f_search_fold(name)) STORED
);

CREATE TABLE communes (
    code          text PRIMARY KEY,
    province_code text NOT NULL REFERENCES provinces (code),
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('xa', 'phuong', 'dac_khu')),
    name_folded   text GENERATED ALWAYS AS (f_search_fold(name)) STORED
);
CREATE INDEX communes_province_idx ON communes (province_code, name);

-- Accounts: a Vietnamese mobile number and a password hashed by ASP.NET Core's PasswordHasher.
CREATE TABLE users (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone              text NOT NULL UNIQUE CHECK (phone ~ '^0[0-9]{9}$'),
    display_name       text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash      text NOT NULL,
    failed_sign_ins    integer NOT NULL DEFAULT 0,
    locked_until       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_signed_in_at  timestamptz
);

CREATE TABLE user_roles (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('admin', 'market_manager', 'seller_member',
                                             'stallholder', 'digital_helper')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE markets (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            text NOT NULL UNIQUE,
    name            text NOT NULL,
    province_code   text NOT NULL REFERENCES provinces (code),
    commune_code    text REFERENCES communes (code),
    address_line    text NOT NULL DEFAULT '',
    -- Address exactly as written on older records (pre-2025 units), kept next to the mapped codes.
    address_as_entered text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE market_managers (
    market_id bigint NOT NULL REFERENCES markets (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (market_id, user_id)
);

CREATE TABLE stalls (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    market_id          bigint NOT NULL REFERENCES markets (id),
    stall_number       text NOT NULL CHECK (length(stall_number) BETWEEN 1 AND 20),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    goods              text NOT NULL DEFAULT '',
    owner_user_id      bigint REFERENCES users (id),
    -- A community digital helper may set a stall up on behalf of its owner.
    created_by_user_id bigint REFERENCES users (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (market_id, stall_number)
);
CREATE INDEX stalls_owner_idx ON stalls (owner_user_id);

CREATE TABLE sellers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          text NOT NULL UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
    kind          text NOT NULL CHECK (kind IN ('cooperative', 'household', 'enterprise')),
    tax_code      text CHECK (tax_code ~ '^[0-9]{10}(-[0-9]{3})?$'),
    province_code text NOT NULL REFERENCES provinces (code),
    commune_code  text REFERENCES communes (code),
    address_line  text NOT NULL DEFAULT '',
    phone         text,
    description   text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'approved', 'rejected', 'suspended')),
    reviewed_by   bigint REFERENCES users (id),
    reviewed_at   timestamptz,
    review_note   text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE seller_members (
    seller_id bigint NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      text NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'staff')),
    PRIMARY KEY (seller_id, user_id)
);
CREATE INDEX seller_members_user_idx ON seller_members (user_id);

CREATE TABLE categories (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    name       text NOT NULL,
    name_en    text NOT NULL,
    parent_id  integer REFERENCES categories (id),
    sort_order integer NOT NULL DEFAULT 0
);

CREATE TABLE products (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id      bigint NOT NULL REFERENCES sellers (id),
    category_id    integer NOT NULL REFERENCES categories (id),
    slug           text NOT NULL UNIQUE,
    name           text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
    name_folded    text GENERATED ALWAYS AS (f_search_fold(name)) STORED,
    description_md text NOT NULL DEFAULT '',
    unit           text NOT NULL CHECK (length(unit) BETWEEN 1 AND 40),
    price_vnd      bigint NOT NULL CHECK (price_vnd > 0 AND price_vnd < 1000000000),
    stock          integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
    ocop_stars     smallint CHECK (ocop_stars BETWEEN 3 AND 5),
    certifications text[] NOT NULL DEFAULT '{}',
    origin_province_code text REFERENCES provinces (code),
    origin_commune_code  text REFERENCES communes (code),
    status         text NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'published', 'unpublished')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_seller_idx ON products (seller_id, id);
CREATE INDEX products_published_idx ON products (id DESC) WHERE status = 'published';
CREATE INDEX products_category_idx ON products (category_id, id DESC) WHERE status = 'published';
CREATE INDEX products_name_trgm_idx ON products USING gin (name_folded gin_trgm_ops);
-- Rare search terms otherwise tempt the planner into walking the primary key.
ALTER TABLE products ALTER COLUMN name_folded SET STATISTICS 1000;

CREATE TABLE product_images (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id   bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    storage_key  text NOT NULL,
    content_type text NOT NULL,
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    sort_order   integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_images_product_idx ON product_images (product_id, sort_order);

-- ASP.NET Core data-protection key ring, shared by every web process (cookies and antiforgery
-- tokens made by one instance are readable by the others).
CREATE TABLE data_protection_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name text NOT NULL UNIQUE,
    xml          text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
