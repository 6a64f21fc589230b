#!/usr/bin/env bash
# Restores a deploy/backup.sh dump into a NEW database (created when missing; refused when it already has tables):
#   deploy/restore.sh /var/backups/cho40/cho40-20261102-020000.dump postgres://cho40:…@127.0.0.1:5432/cho40_restored
# Objects are owned by the user in the URI (--no-owner); pg_trgm and unaccent are trusted extensions, so the database's
# owner may create them. Then point DATABASE_URL at the new database and restart the services (README).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: restore.sh DUMP_FILE postgres://user:password@host:port/new_database" >&2; exit 2; }
dump="$1" target="$2"
[ -r "$dump" ] || { echo "restore.sh: cannot read $dump" >&2; exit 2; }
case "$target" in
    postgres://*/*|postgresql://*/*) ;;
    *) echo "restore.sh: the target must be a postgres:// URI naming the database" >&2; exit 2 ;;
esac
without_query="${target%%\?*}"
database="${without_query##*/}"
query=""; [ "$target" != "$without_query" ] && query="?${target#*\?}"
maintenance="${without_query%/*}/postgres$query"

if [ -z "$(psql "$maintenance" -XtAc "SELECT 1 FROM pg_database WHERE datname = '${database//\'/\'\'}'")" ]; then
    psql "$maintenance" -Xq -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"${database//\"/\"\"}\""
fi
tables=$(psql "$target" -XtAc "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
[ "$tables" -eq 0 ] || { echo "restore.sh: $database already has $tables tables; restore into a new database" >&2; exit 1; }

pg_restore --exit-on-error --no-owner --no-privileges --jobs="${JOBS:-2}" --dbname="$target" "$dump"
psql "$target" -Xq -c "ANALYZE"
echo "restored $dump into $database"
