-- The in-memory catalogue search index (CatalogSearchIndex, issue 15): each web process keeps the searchable fields of
-- every listed product, and what its result card shows, and must learn of changes before it answers a search. Every
-- change a search or a card can see (a product's name, slug, unit, description, status, category, origin, OCOP stars,
-- price or seller; its photos; its seller's approval, name or slug; any category) stamps the product, or the catalogue,
-- with a new catalogue version. A search reads the current version with its results' stock and status and, when it
-- moved, first reads the products stamped after the version its index has. Stock changes (every order) stamp nothing,
-- so checkouts never wait for the version row.
CREATE TABLE catalog_search_version (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO catalog_search_version (id, version) VALUES (true, 1);

ALTER TABLE products ADD COLUMN search_version bigint NOT NULL DEFAULT 0;
CREATE INDEX products_search_version_idx ON products (search_version);
-- What a search reads from PostgreSQL: each result's stock and status, from an index small enough to stay in memory
-- (reading 24 wide product rows at random was most of a search's database time).
CREATE INDEX products_card_stock_idx ON products (id) INCLUDE (status, stock);

-- One version per transaction: the first change takes the next number and holds the row until commit, so versions are
-- committed in order and "stamped after V" never misses a transaction that commits later with a smaller number.
CREATE FUNCTION f_catalog_search_bump() RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    v bigint := nullif(current_setting('cho40.catalog_search_version', true), '')::bigint;
BEGIN
    IF v IS NULL THEN
        UPDATE public.catalog_search_version SET version = version + 1 RETURNING version INTO v;
        PERFORM set_config('cho40.catalog_search_version', v::text, true);
    END IF;
    RETURN v;
END
$$;

CREATE FUNCTION f_products_search_version() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.name IS DISTINCT FROM OLD.name
       OR NEW.slug IS DISTINCT FROM OLD.slug
       OR NEW.unit IS DISTINCT FROM OLD.unit
       OR NEW.description_md IS DISTINCT FROM OLD.description_md
       OR NEW.status IS DISTINCT FROM OLD.status
       OR NEW.category_id IS DISTINCT FROM OLD.category_id
       OR NEW.origin_province_code IS DISTINCT FROM OLD.origin_province_code
       OR NEW.ocop_stars IS DISTINCT FROM OLD.ocop_stars
       OR NEW.price_vnd IS DISTINCT FROM OLD.price_vnd
       OR NEW.seller_id IS DISTINCT FROM OLD.seller_id THEN
        NEW.search_version := public.f_catalog_search_bump();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER products_search_version BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION f_products_search_version();

-- A deleted product is simply not found when its stock is read; categories are read whole with every refresh of the
-- index. Both only have to move the version.
CREATE FUNCTION f_catalog_search_moved() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM public.f_catalog_search_bump();
    RETURN NULL;
END
$$;
CREATE TRIGGER products_search_deleted AFTER DELETE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION f_catalog_search_moved();
CREATE TRIGGER categories_search_version AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION f_catalog_search_moved();

-- A seller approved, suspended or renamed: its products' listing and cards change with it.
CREATE FUNCTION f_sellers_search_version() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE public.products SET search_version = public.f_catalog_search_bump() WHERE seller_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER sellers_search_version AFTER UPDATE OF status, name, slug ON sellers
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION f_sellers_search_version();

-- A product's first photo is on its card.
CREATE FUNCTION f_product_images_search_version() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE public.products SET search_version = public.f_catalog_search_bump()
    WHERE id IN (SELECT product_id FROM changed_images);
    RETURN NULL;
END
$$;
CREATE TRIGGER product_images_search_inserted AFTER INSERT ON product_images
    REFERENCING NEW TABLE AS changed_images FOR EACH STATEMENT EXECUTE FUNCTION f_product_images_search_version();
CREATE TRIGGER product_images_search_updated AFTER UPDATE ON product_images
    REFERENCING NEW TABLE AS changed_images FOR EACH STATEMENT EXECUTE FUNCTION f_product_images_search_version();
CREATE TRIGGER product_images_search_deleted AFTER DELETE ON product_images
    REFERENCING OLD TABLE AS changed_images FOR EACH STATEMENT EXECUTE FUNCTION f_product_images_search_version();
