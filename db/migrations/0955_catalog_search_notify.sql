-- Every web process's search index learns of catalogue changes by NOTIFY instead of reading the catalogue version in
-- each search (issue 15: that statement was a third of a search's cost). Channel catalog_search, delivered at commit,
-- in commit order:
--   v{version}  the catalogue version moved (once per transaction: f_catalog_search_bump takes one number each);
--   s{product}  the product has no stock now (it entered catalog_sold_out);
--   a{product}  it has stock again (it left catalog_sold_out).
-- Sent by triggers on the two tables themselves, so whatever changes them notifies. Only a change across zero touches
-- catalog_sold_out, so most checkouts send nothing. A process that is not listening (CatalogSearchListener connecting,
-- or its connection lost) reads both in each search, as before; one that starts listening reads them once after LISTEN,
-- so nothing committed in between is missed.
CREATE FUNCTION f_catalog_search_notify() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_TABLE_NAME = 'catalog_search_version' THEN
        PERFORM pg_notify('catalog_search', 'v' || NEW.version);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('catalog_search', 's' || NEW.product_id);
    ELSE
        PERFORM pg_notify('catalog_search', 'a' || OLD.product_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_search_version_notify AFTER UPDATE ON catalog_search_version
    FOR EACH ROW EXECUTE FUNCTION f_catalog_search_notify();
CREATE TRIGGER catalog_sold_out_notify AFTER INSERT OR DELETE ON catalog_sold_out
    FOR EACH ROW EXECUTE FUNCTION f_catalog_search_notify();
