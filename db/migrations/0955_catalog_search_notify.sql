-- Every web process's search index learns of catalogue changes by NOTIFY instead of reading the catalogue version in
-- each search (issue 15: that statement was a third of a search's cost). Channel catalog_search, delivered at commit:
--   v{version}  the transaction took a new catalogue version (f_catalog_search_bump, once per transaction);
--   s{product}  the product has no stock now (it entered catalog_sold_out);
--   a{product}  it has stock again.
-- A process that is not listening (CatalogSearchListener connecting, or its connection lost) reads both in each
-- search, as before; one that starts listening reads them once after LISTEN, so nothing committed in between is missed.
CREATE OR REPLACE FUNCTION f_catalog_search_bump() RETURNS bigint
    LANGUAGE plpgsql
AS $$
DECLARE
    v bigint := nullif(current_setting('cho40.catalog_search_version', true), '')::bigint;
BEGIN
    IF v IS NULL THEN
        UPDATE public.catalog_search_version SET version = version + 1 RETURNING version INTO v;
        PERFORM set_config('cho40.catalog_search_version', v::text, true);
        PERFORM pg_notify('catalog_search', 'v' || v);
    END IF;
    RETURN v;
END
$$;

-- Only a change across zero notifies (a product selling out or coming back), not every sale: most checkouts send nothing.
CREATE OR REPLACE FUNCTION f_catalog_sold_out() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.stock = 0 AND (TG_OP = 'INSERT' OR OLD.stock <> 0) THEN
        INSERT INTO public.catalog_sold_out (product_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
        PERFORM pg_notify('catalog_search', 's' || NEW.id);
    ELSIF TG_OP = 'UPDATE' AND NEW.stock <> 0 AND OLD.stock = 0 THEN
        DELETE FROM public.catalog_sold_out WHERE product_id = NEW.id;
        PERFORM pg_notify('catalog_search', 'a' || NEW.id);
    END IF;
    RETURN NULL;
END
$$;
