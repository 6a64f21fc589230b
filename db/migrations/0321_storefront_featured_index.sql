-- The home page's "featured" shelf (OCOP products, best first) without sorting the whole catalogue.
CREATE INDEX products_featured_idx ON products (ocop_stars DESC, id DESC) WHERE status = 'published' AND ocop_stars IS NOT NULL;
