-- Search without scoring every match (issue 15). Trigram similarity costs tens of microseconds a row, so ranking every
-- product that contains a common word ("chè" is in 40 % of names) cost 40–100 ms on 100,000 products. Search now ranks a
-- bounded candidate set read straight from indexes (ShopQueries.SearchAsync): the exact name, and the shortest names that
-- contain every word of the query (as a word or the start of one) through a GIN index on the name's words, walked in
-- length order so a common word stops after a page or two; typos are corrected against the vocabulary of name words.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- The words of a folded text (letters and digits; everything else separates), as text search lexemes taken literally:
-- no parser or dictionary in between, so the query side can build the same lexemes (f_search_query). Generated columns
-- cannot read other generated columns, so these fold the text again (same expressions as name_folded and
-- description_folded); schema-qualified for restores (see 0740).
CREATE OR REPLACE FUNCTION public.f_search_words(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT array_remove(regexp_split_to_array($1, '[^[:alnum:]]+'), '') $$;

ALTER TABLE products ADD COLUMN name_words tsvector
    GENERATED ALWAYS AS (array_to_tsvector(public.f_search_words(public.f_search_fold(name)))) STORED;
-- Descriptions are searched as phrases, which need word positions: the text search parser, without dictionaries.
ALTER TABLE products ADD COLUMN description_words tsvector
    GENERATED ALWAYS AS (to_tsvector('pg_catalog.simple'::regconfig, public.f_search_fold(left(description_md, 2000)))) STORED;
CREATE INDEX products_name_words_idx ON products USING gin (name_words) WHERE status = 'published';
CREATE INDEX products_description_words_idx ON products USING gin (description_words) WHERE status = 'published';
-- Shortest names first: the names most similar to a query that they contain.
CREATE INDEX products_name_length_idx ON products (length(name_folded), id DESC) WHERE status = 'published';
CREATE INDEX products_name_folded_idx ON products (name_folded) WHERE status = 'published';

-- Every word that has appeared in a product name, for typo correction ("na ry" → "na ri"). Words are only added:
-- a word no longer in any name leads to no product, which is harmless.
CREATE TABLE search_words (
    word text PRIMARY KEY
);
CREATE INDEX search_words_prefix_idx ON search_words (word text_pattern_ops);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

CREATE OR REPLACE FUNCTION f_search_words_collect() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO search_words (word)
    SELECT DISTINCT w FROM new_rows, unnest(public.f_search_words(new_rows.name_folded)) AS w
    WHERE length(w) BETWEEN 2 AND 40
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER products_search_words_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION f_search_words_collect();
CREATE TRIGGER products_search_words_update AFTER UPDATE ON products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION f_search_words_collect();

INSERT INTO search_words (word)
SELECT DISTINCT w FROM products, unnest(public.f_search_words(name_folded)) AS w
WHERE length(w) BETWEEN 2 AND 40
ON CONFLICT DO NOTHING;

-- The query side: the words of a folded query as a tsquery in which every word must match, as a whole word, the start
-- of one, or (when no name word starts with it) a vocabulary word one edit away (two for words of six letters or more).
CREATE OR REPLACE FUNCTION public.f_search_query(folded text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
AS $$
    SELECT string_agg('(' || alternatives || ')', ' & ')::tsquery
    FROM (
        SELECT (SELECT string_agg(quote_literal(a) || suffix, ' | ')
                FROM (SELECT w AS a, ':*' AS suffix
                      UNION
                      SELECT s.word, ''
                      FROM public.search_words s
                      WHERE NOT EXISTS (SELECT 1 FROM public.search_words p WHERE p.word LIKE public.f_like_escape(w) || '%')
                        AND (s.word % w OR (length(w) <= 3 AND s.word LIKE left(w, 1) || '%' AND length(s.word) <= length(w) + 1))
                        AND public.levenshtein(s.word, w) <= CASE WHEN length(w) >= 6 THEN 2 ELSE 1 END) alt) AS alternatives
        FROM unnest(public.f_search_words(folded)) AS w
    ) per_word
$$;

ANALYZE products;
ANALYZE search_words;
