-- A deleted product must leave every web process's search index at once. Nothing in the product deletes one (an
-- administrator by hand could), and since 0920/0940 a search reads no product row that would miss it: a deletion is
-- recorded with the catalogue version it takes, and an index catching up reads the deletions since its version.
CREATE TABLE catalog_search_removed (
    product_id bigint PRIMARY KEY,
    version    bigint NOT NULL
);
CREATE INDEX catalog_search_removed_version_idx ON catalog_search_removed (version);

CREATE FUNCTION f_products_search_removed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO public.catalog_search_removed (product_id, version)
    SELECT id, public.f_catalog_search_bump() FROM removed_products
    ON CONFLICT (product_id) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END
$$;
DROP TRIGGER products_search_deleted ON products;
CREATE TRIGGER products_search_deleted AFTER DELETE ON products
    REFERENCING OLD TABLE AS removed_products FOR EACH STATEMENT EXECUTE FUNCTION f_products_search_removed();
