-- Listings (seller side): product photos stored once, content-addressed by SHA-256.
--
-- The original bytes live in PostgreSQL rather than on a web server's disk: web processes are
-- stateless and share the one database (see README "scaling out"), so a photo uploaded through one
-- instance is served by every other, and backups of the database include the photos. Resized
-- thumbnails are a cache each web process keeps on its own disk (Cho40:MediaPath) and can rebuild.
CREATE TABLE media_blobs (
    sha256       text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    byte_size    integer NOT NULL CHECK (byte_size > 0),
    bytes        bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- Photos are already compressed: do not spend CPU trying again.
ALTER TABLE media_blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;

-- product_images.storage_key is the SHA-256 (hex) of the original: the same photo is stored once.
ALTER TABLE product_images
    ADD CONSTRAINT product_images_blob_fk FOREIGN KEY (storage_key) REFERENCES media_blobs (sha256),
    ADD CONSTRAINT product_images_once_per_product UNIQUE (product_id, storage_key);

-- The seller's list: newest edits first, by status.
CREATE INDEX products_seller_updated_idx ON products (seller_id, updated_at DESC, id DESC);
