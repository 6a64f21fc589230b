-- Search reads only the catalogue version (issue 15): a result card shows of its stock only whether the product is sold
-- out, so the index keeps that too, and selling the last one or restocking a sold-out product stamps the product like a
-- price change. Every other stock change (most orders) still stamps nothing, so checkouts do not queue on the version row.
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
       OR NEW.seller_id IS DISTINCT FROM OLD.seller_id
       OR (NEW.stock = 0) IS DISTINCT FROM (OLD.stock = 0) THEN
        NEW.search_version := public.f_catalog_search_bump();
    END IF;
    RETURN NEW;
END
$$;

-- Searches no longer read stock and status per result; without this index an order's stock update can be a HOT update.
DROP INDEX products_card_stock_idx;
