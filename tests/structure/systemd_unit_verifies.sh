#!/usr/bin/env bash
# The relay's systemd unit must be one systemd accepts: systemd-analyze verify, with ExecStart
# pointed at the tern-cli just built (the unit names the installed /usr/bin/tern-cli).
set -u
unit=$1 cli=$2
if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze not found: scripts/install-deps installs systemd"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -q '^ExecStart=/usr/bin/tern-cli ' "$unit" || { echo "$unit: ExecStart must run /usr/bin/tern-cli"; exit 1; }
sed "s|/usr/bin/tern-cli|$cli|" "$unit" > "$tmp/$(basename "$unit")"
systemd-analyze verify --man=no "$tmp/$(basename "$unit")" || exit 1
echo "$(basename "$unit") verifies"
