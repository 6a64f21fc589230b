-- pg_restore (and pg_dump's restore scripts) run with an empty search_path. f_search_fold computes stored generated
-- columns (products.name_folded, description_folded, communes.name_folded, …), so a restore calls it for every row it
-- loads, and its unqualified call of f_unaccent was not found: a restore of a backup failed at the first such table
-- (found by tests/Cho40.Tests/Operations/BackupRestoreTests). Same function, schema-qualified; values are unchanged.
CREATE OR REPLACE FUNCTION public.f_search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.f_unaccent($1)) $$;
