#!/bin/bash
# Encrypted backup of the IPSM database (docs/deploy.md, "Backups"): run nightly by ipsm-backup.timer.
#
# pg_dump in custom format (compressed; pg_restore can restore one table or the whole database), piped
# straight into gpg, encrypted to the public key of BACKUP_RECIPIENT: the server never holds the private key,
# so a stolen server or backup disk does not give away the NIKs (UU PDP 27/2022). Nothing unencrypted touches
# the disk. Dumps older than BACKUP_KEEP_DAYS are deleted after a successful dump.
#
# Environment: DATABASE_URL (as for the app), BACKUP_RECIPIENT (gpg key id or e-mail), BACKUP_DIR
# (default /var/backups/ipsm), BACKUP_KEEP_DAYS (default 35), PG_DUMP (default pg_dump; it must be of the
# server's major version or newer), PG_DUMP_ARGS (extra pg_dump options), PRIVATE_MEDIA_ROOT (as for the
# app: the member photos and office logos, archived with tar and encrypted the same way, beside the dump).
# Prints the files it wrote.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set}"
: "${BACKUP_RECIPIENT:?BACKUP_RECIPIENT must name the gpg public key the dumps are encrypted to}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/ipsm}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-35}
PG_DUMP=${PG_DUMP:-pg_dump}

umask 077
mkdir -p "$BACKUP_DIR"
target="$BACKUP_DIR/ipsm-$(date +%Y%m%d-%H%M%S).dump.gpg"

# pipefail: a failing pg_dump fails the backup, and the partial file is removed instead of kept.
# shellcheck disable=SC2086  # PG_DUMP_ARGS holds several options
if ! "$PG_DUMP" --format=custom --compress=6 ${PG_DUMP_ARGS:-} --dbname="$DATABASE_URL" \
    | gpg --batch --yes --quiet --trust-model always --encrypt --recipient "$BACKUP_RECIPIENT" \
        --compress-algo none --output "$target.partial"; then
    rm -f "$target.partial"
    echo "ipsm-backup: FAILED, no new dump written" >&2
    exit 1
fi
mv "$target.partial" "$target"
echo "$target"

if [ -n "${PRIVATE_MEDIA_ROOT:-}" ] && [ -d "$PRIVATE_MEDIA_ROOT" ]; then
    files="${target%.dump.gpg}.files.tar.gpg"
    if ! tar -C "$PRIVATE_MEDIA_ROOT" -cf - . \
        | gpg --batch --yes --quiet --trust-model always --encrypt --recipient "$BACKUP_RECIPIENT" \
            --output "$files.partial"; then
        rm -f "$files.partial"
        echo "ipsm-backup: FAILED to archive $PRIVATE_MEDIA_ROOT (the database dump was written)" >&2
        exit 1
    fi
    mv "$files.partial" "$files"
    echo "$files"
fi
find "$BACKUP_DIR" -maxdepth 1 -name 'ipsm-*.gpg' -mtime +"$BACKUP_KEEP_DAYS" -delete
