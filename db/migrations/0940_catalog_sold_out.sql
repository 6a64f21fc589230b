-- Migration 0920 stamped a product with a new catalogue version when its last unit sold or it was restocked, so search
-- could show "sold out" from the in-memory index. That put the version row's lock inside checkouts, after their product
-- locks, while a catalogue edit of several products takes the version lock before the later products' locks: two such
-- transactions can wait on each other (a deadlock). Stock changes stamp nothing again; instead the few products with no
-- stock are listed in catalog_sold_out, kept by a trigger under the product's own row lock (no lock shared by all
-- checkouts), and a search reads its results' entries there with the catalogue version, in one statement.
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

CREATE TABLE catalog_sold_out (
    product_id bigint PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE
);
INSERT INTO catalog_sold_out (product_id) SELECT id FROM products WHERE stock = 0;

CREATE FUNCTION f_catalog_sold_out() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.stock = 0 AND (TG_OP = 'INSERT' OR OLD.stock <> 0) THEN
        INSERT INTO public.catalog_sold_out (product_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    ELSIF TG_OP = 'UPDATE' AND NEW.stock <> 0 AND OLD.stock = 0 THEN
        DELETE FROM public.catalog_sold_out WHERE product_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_sold_out AFTER INSERT OR UPDATE OF stock ON products
    FOR EACH ROW EXECUTE FUNCTION f_catalog_sold_out();
