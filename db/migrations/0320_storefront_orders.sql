-- Storefront search and orders: checkout groups (one checkout, one order per seller), orders,
-- their items and their history, and the indexes the storefront's listings and search need.

-- Descriptions are searched lightly (a contained phrase), through their own trigram index.
ALTER TABLE products ADD COLUMN description_folded text
    GENERATED ALWAYS AS (f_search_fold(left(description_md, 2000))) STORED;
CREATE INDEX products_description_trgm_idx ON products USING gin (description_folded gin_trgm_ops);

-- Listing pages: the newest published products of a seller; filters by origin province and price.
CREATE INDEX products_seller_published_idx ON products (seller_id, id DESC) WHERE status = 'published';
CREATE INDEX products_origin_province_idx ON products (origin_province_code, id DESC) WHERE status = 'published';

-- One checkout: the shopper's details once, and the key that makes a double submit harmless.
CREATE TABLE checkout_groups (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  uuid NOT NULL UNIQUE,
    access_token     text NOT NULL UNIQUE,
    user_id          bigint REFERENCES users (id),
    created_at       timestamptz NOT NULL
);

CREATE TABLE orders (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Short human code, e.g. DH-7KQ3XM (no 0/O, 1/I/L): said on the phone, typed in a transfer purpose.
    code               text NOT NULL UNIQUE CHECK (code ~ '^DH-[2-9A-HJKMNP-Z]{6}$'),
    -- Unguessable part of the shopper's order page URL.
    access_token       text NOT NULL UNIQUE,
    checkout_group_id  bigint NOT NULL REFERENCES checkout_groups (id),
    seller_id          bigint NOT NULL REFERENCES sellers (id),
    user_id            bigint REFERENCES users (id),
    customer_name      text NOT NULL CHECK (length(customer_name) BETWEEN 2 AND 100),
    customer_phone     text NOT NULL CHECK (customer_phone ~ '^0[35789][0-9]{8}$'),
    province_code      text NOT NULL REFERENCES provinces (code),
    commune_code       text NOT NULL REFERENCES communes (code),
    address_line       text NOT NULL CHECK (length(address_line) BETWEEN 2 AND 300),
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    payment_method     text NOT NULL CHECK (payment_method IN ('cod', 'transfer')),
    status             text NOT NULL DEFAULT 'placed'
                       CHECK (status IN ('placed', 'confirmed', 'shipped', 'delivered', 'returned', 'cancelled')),
    subtotal_vnd       bigint NOT NULL CHECK (subtotal_vnd > 0),
    shipping_fee_vnd   bigint NOT NULL DEFAULT 0 CHECK (shipping_fee_vnd >= 0),
    total_vnd          bigint NOT NULL CHECK (total_vnd = subtotal_vnd + shipping_fee_vnd),
    payment_status     text NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN ('unpaid', 'paid')),
    paid_amount_vnd    bigint,
    paid_at            timestamptz,
    payment_provider_transaction_id text UNIQUE,
    carrier            text,
    tracking_code      text,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);
-- Lists are newest first and paged by id (keyset).
CREATE INDEX orders_seller_idx ON orders (seller_id, id DESC);
CREATE INDEX orders_seller_status_idx ON orders (seller_id, status, id DESC);
CREATE INDEX orders_status_idx ON orders (status, id DESC);
CREATE INDEX orders_group_idx ON orders (checkout_group_id);
CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC) WHERE user_id IS NOT NULL;

-- Name, unit and price as they were at checkout: the product may change afterwards.
CREATE TABLE order_items (
    order_id        bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id      bigint NOT NULL REFERENCES products (id),
    product_name    text NOT NULL,
    unit            text NOT NULL,
    unit_price_vnd  bigint NOT NULL CHECK (unit_price_vnd > 0),
    quantity        integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    line_total_vnd  bigint NOT NULL CHECK (line_total_vnd = unit_price_vnd * quantity),
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX order_items_product_idx ON order_items (product_id);

-- Who did what when: every status change, payment and carrier hand-over.
CREATE TABLE order_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id       bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('placed', 'confirmed', 'shipped', 'delivered', 'returned',
                                                 'cancelled', 'paid')),
    from_status    text,
    to_status      text,
    actor_user_id  bigint REFERENCES users (id),
    -- 'shopper', 'seller', 'admin', 'bank' (payment matching), 'system'.
    actor_kind     text NOT NULL,
    detail         text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);

-- Escapes LIKE's metacharacters so that a shopper's "50%" or "a_b" matches itself.
CREATE OR REPLACE FUNCTION f_like_escape(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT replace(replace(replace($1, '\', '\\'), '%', '\%'), '_', '\_') $$;
