#!/usr/bin/env bash
# scripts/demo as the README's first command runs it, with the programs of this build and
# --exit-when-ready: servers up, a seeded mailbox, carol signed in by device code, the office
# printer signed in, the relay started and a scan relayed, Tern opened on the demo profile (it
# reports its window ready and quits); then everything the demo started must be gone.
set -u
source_dir=$1 build_dir=$2 xvfb_run=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail() { echo "FAIL: $*"; cat "$out"; exit 1; }

TERN_DEMO_SKIP_DEPS=1 TERN_DEMO_BUILD_DIR=$build_dir TERN_DEMO_MESSAGES=200 \
    "$xvfb_run" -a -s "-screen 0 1280x900x24" "$source_dir/scripts/demo" --exit-when-ready >"$out" 2>&1 ||
    fail "scripts/demo exited $?"
grep -q '^ready: profile=.* accounts=1 ' "$out" || fail "Tern did not report the demo profile with its account"
grep -q '^demo: relay on 127.0.0.1:[0-9]*; the printer sends a scan' "$out" || fail "the relay did not take the scan"
work=$(sed -n 's/^demo: demo folder //p' "$out")
[ -n "$work" ] || fail "no demo folder named"
[ ! -e "$work" ] || fail "the demo left $work behind"
if pgrep -f "$work" >/dev/null; then fail "processes of the demo still run: $(pgrep -af "$work")"; fi
echo "demo smoke: servers, seeded mailbox, signed-in account, printer and relay, Tern ready; all stopped after"
