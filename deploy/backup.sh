#!/usr/bin/env bash
# Chợ 4.0 database backup: one pg_dump in custom format (-Fc: compressed, checked, restorable in parallel with
# pg_restore) of the whole database — data, Hangfire's schema and the data-protection key ring (so sign-ins survive a
# restore) — written as BACKUP_DIR/cho40-YYYYMMDD-HHMMSS.dump (UTC), keeping the newest KEEP files.
#   DATABASE_URL  postgres://user:password@host:port/database (the URI form; e.g. from /etc/cho40/cho40.env)
#   BACKUP_DIR    default /var/backups/cho40          KEEP  default 14
# A dump is consistent (one snapshot) while the site keeps running. Restore: deploy/restore.sh (README).
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set (postgres://user:password@host:port/database)}"
case "$DATABASE_URL" in
    postgres://*|postgresql://*) ;;
    *) echo "backup.sh: DATABASE_URL must be a postgres:// URI (pg_dump does not read Npgsql connection strings)" >&2; exit 2 ;;
esac
BACKUP_DIR="${BACKUP_DIR:-/var/backups/cho40}"
KEEP="${KEEP:-14}"
umask 077
mkdir -p "$BACKUP_DIR"

name="cho40-$(date -u +%Y%m%d-%H%M%S).dump"
partial="$BACKUP_DIR/.$name.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --compress=6 --file="$partial" --dbname="$DATABASE_URL"
# An archive pg_restore cannot read is not a backup: list its table of contents before keeping it.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$BACKUP_DIR/$name"
trap - EXIT

# Rotation by the UTC time in the name (newest first), never by modification time.
find "$BACKUP_DIR" -maxdepth 1 -type f -name 'cho40-????????-??????.dump' -printf '%f\n' | sort -r | tail -n +$((KEEP + 1)) \
    | while read -r old; do rm -f -- "$BACKUP_DIR/$old"; done
echo "$BACKUP_DIR/$name ($(stat -c %s "$BACKUP_DIR/$name") bytes)"
