-- Traceability: batches (lots) of a product, their events with photos, certificates, serialised unit
-- codes and scan counts. Times are timestamptz (UTC); pages show them in Asia/Ho_Chi_Minh.

-- GTIN-14 (GTIN-8/12/13 are stored left-padded with zeros); the GS1 check digit is validated in code.
ALTER TABLE products ADD COLUMN gtin text CHECK (gtin ~ '^[0-9]{14}$');
CREATE UNIQUE INDEX products_gtin_idx ON products (gtin) WHERE gtin IS NOT NULL;

CREATE TABLE trace_batches (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id   bigint NOT NULL REFERENCES products (id),
    -- The producer's lot number (GS1 AI 10: at most 20 characters; we allow letters, digits, - and .).
    lot_code     text NOT NULL CHECK (lot_code ~ '^[A-Za-z0-9.-]{1,20}$'),
    -- The platform's short public code: 7 random characters + 1 check character (TraceCode).
    code         text NOT NULL UNIQUE CHECK (code ~ '^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$'),
    quantity     numeric(12, 3) NOT NULL CHECK (quantity > 0),
    unit         text NOT NULL CHECK (length(unit) BETWEEN 1 AND 20),
    produced_on  date NOT NULL,
    expires_on   date CHECK (expires_on IS NULL OR expires_on >= produced_on),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (product_id, lot_code)
);

CREATE TABLE trace_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id      bigint NOT NULL REFERENCES trace_batches (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('planting', 'care', 'harvest', 'withering', 'rolling', 'drying',
                                                'processing', 'packaging', 'inspection', 'certification', 'shipping')),
    occurred_at   timestamptz NOT NULL,
    province_code text REFERENCES provinces (code),
    commune_code  text REFERENCES communes (code),
    latitude      numeric(9, 6) CHECK (latitude BETWEEN -90 AND 90),
    longitude     numeric(9, 6) CHECK (longitude BETWEEN -180 AND 180),
    actor         text NOT NULL DEFAULT '' CHECK (length(actor) <= 200),
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    created_by    bigint REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX trace_events_batch_idx ON trace_events (batch_id, occurred_at, id);

-- Photos, content-addressed: the key is the SHA-256 of the normalised image (EXIF stripped, at most
-- 2048 px, WebP). The same photo attached twice is stored once.
CREATE TABLE trace_images (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    width      integer NOT NULL CHECK (width > 0),
    height     integer NOT NULL CHECK (height > 0),
    data       bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Resized renditions, made on first request and kept.
CREATE TABLE trace_image_sizes (
    sha256 text NOT NULL REFERENCES trace_images (sha256) ON DELETE CASCADE,
    width  integer NOT NULL,
    data   bytea NOT NULL,
    PRIMARY KEY (sha256, width)
);
CREATE TABLE trace_event_photos (
    event_id   bigint NOT NULL REFERENCES trace_events (id) ON DELETE CASCADE,
    sha256     text NOT NULL REFERENCES trace_images (sha256),
    sort_order integer NOT NULL DEFAULT 0,
    PRIMARY KEY (event_id, sha256)
);

CREATE TABLE trace_certificates (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seller_id  bigint NOT NULL REFERENCES sellers (id),
    -- NULL: the certificate covers the seller as a whole.
    product_id bigint REFERENCES products (id),
    kind       text NOT NULL CHECK (kind IN ('vietgap', 'globalgap', 'ocop', 'organic', 'haccp', 'other')),
    number     text NOT NULL CHECK (length(number) BETWEEN 1 AND 100),
    issuer     text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 200),
    valid_from date NOT NULL,
    valid_to   date NOT NULL CHECK (valid_to >= valid_from),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trace_certificates_seller_idx ON trace_certificates (seller_id, valid_to);

-- Serialised unit codes: one per pack, unguessable, with a check character (TraceCode).
CREATE TABLE trace_units (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id         bigint NOT NULL REFERENCES trace_batches (id) ON DELETE CASCADE,
    serial           text NOT NULL UNIQUE CHECK (serial ~ '^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{10}$'),
    scan_count       integer NOT NULL DEFAULT 0,
    first_scanned_at timestamptz,
    first_device     text,
    last_scanned_at  timestamptz
);
CREATE INDEX trace_units_batch_idx ON trace_units (batch_id, id);

-- Each scan of a serialised code: the basis of the "copied code" warning (devices, networks).
CREATE TABLE trace_unit_scans (
    unit_id    bigint NOT NULL REFERENCES trace_units (id) ON DELETE CASCADE,
    scanned_at timestamptz NOT NULL,
    device     text NOT NULL,
    network    text NOT NULL
);
CREATE INDEX trace_unit_scans_unit_idx ON trace_unit_scans (unit_id, scanned_at);

-- Scans of batch pages, counted in memory and added here in batches (ScanCounter) so that the most
-- visited page never waits for a counter row lock.
CREATE TABLE trace_batch_scans (
    batch_id bigint NOT NULL REFERENCES trace_batches (id) ON DELETE CASCADE,
    day      date NOT NULL,
    scans    bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (batch_id, day)
);
