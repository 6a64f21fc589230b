-- The catalogue search index also keeps what a result card shows (CatalogSearchIndex): a search then reads from
-- PostgreSQL only each result's stock and status, from a small covering index that stays in memory (reading 24 wide
-- product rows at random was most of a search's database time). So the card's other fields stamp a new catalogue
-- version when they change: the product's slug and unit, its first photo, its seller's name and slug, any category.
CREATE INDEX products_card_stock_idx ON products (id) INCLUDE (status, stock);

CREATE OR REPLACE FUNCTION f_products_search_version() RETURNS trigger
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

DROP TRIGGER sellers_search_version ON sellers;
CREATE TRIGGER sellers_search_version AFTER UPDATE OF status, name, slug ON sellers
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name OR OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION f_sellers_search_version();

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

-- Categories are read whole with every refresh of the index: a change only has to move the version.
CREATE FUNCTION f_catalog_search_moved() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM public.f_catalog_search_bump();
    RETURN NULL;
END
$$;
CREATE TRIGGER categories_search_version AFTER INSERT OR UPDATE OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION f_catalog_search_moved();
