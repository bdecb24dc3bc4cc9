#!/usr/bin/env bash
# Starts the real tern under Xvfb: --version, an empty profile, mailto: links, and a damaged profile.
set -u
xvfb_run=$1 tern=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

out=$("$xvfb_run" -a "$tern" --version) || fail "tern --version exited $?"
[[ $out == "tern "* ]] || fail "unexpected --version output: $out"

out=$("$xvfb_run" -a "$tern" --home "$work/empty" --exit-when-ready 2>"$work/stderr") ||
  fail "tern on an empty profile exited $?: $(cat "$work/stderr")"
[[ $out == "ready: profile=$work/empty accounts=0 messages=0" ]] || fail "unexpected status: $out"
[ -f "$work/empty/tern.db" ] || fail "the profile database was not created"
grep -q "tern starting" "$work/empty/logs/tern.log" || fail "no log written"

# The desktop's mail handler: tern mailto:... is taken, anything else is refused before a window.
out=$("$xvfb_run" -a "$tern" --home "$work/empty" --exit-when-ready "mailto:ann@example.test?subject=Hi" 2>"$work/stderr") ||
  fail "tern mailto: exited $?: $(cat "$work/stderr")"
[[ $out == "ready: profile=$work/empty accounts=0 messages=0" ]] || fail "unexpected status with a mailto: link: $out"
"$tern" --home "$work/empty" "http://example.org/" >/dev/null 2>"$work/stderr"
rc=$?
[ $rc -eq 2 ] || fail "a link that is not mailto: should exit 2, got $rc"
grep -q "not a mailto: link" "$work/stderr" || fail "no reason given for the refused link: $(cat "$work/stderr")"

# One Tern per profile: a second start with a mailto: link hands it to the running one and quits.
cat >"$work/two-starts.sh" <<'SH'
tern=$1 home=$2
"$tern" --home "$home" --no-sync >"$home.first.log" 2>&1 &
first=$!
for _ in $(seq 1 100); do [ -S "$home/tern.sock" ] && break; sleep 0.1; done
[ -S "$home/tern.sock" ] || { echo "the first Tern made no socket"; kill $first; exit 1; }
timeout 20 "$tern" --home "$home" "mailto:ann@example.test?subject=Second%20start" >"$home.second.log" 2>&1
second=$?
sleep 0.5
kill -0 $first 2>/dev/null || { echo "the first Tern ended"; exit 1; }
kill -TERM $first; wait $first
echo "second=$second"
SH
out=$("$xvfb_run" -a bash "$work/two-starts.sh" "$tern" "$work/once" 2>&1) || fail "two starts: $out"
[[ $out == *"second=0"* ]] || fail "the second start did not hand over and quit: $out $(cat "$work/once.second.log")"
grep -q "handed a mailto: link to the Tern already running" "$work/once/logs/tern.log" || fail "no hand-over in the log"
grep -q "a mailto: link from another start" "$work/once/logs/tern.log" || fail "the running Tern did not take the link"
# SIGTERM (logging out) closes the windows as Quit does, and the program ends cleanly.
grep -q "signal 15: closing the windows" "$work/once/logs/tern.log" || fail "SIGTERM did not close the windows"
[ "$(grep -c "tern exiting" "$work/once/logs/tern.log")" -eq 2 ] || fail "not both starts ended cleanly"

# The reader's HTML view plug-in is found beside the program (bin/../lib/tern); a copy of the
# program elsewhere says it is missing (the reader then shows HTML mail as text, with that reason).
out=$("$tern" --check-html-view 2>&1) || fail "tern --check-html-view exited $?: $out"
[[ $out == "html view: "*"/lib/tern/tern-html-view.so" ]] || fail "unexpected plug-in line: $out"
mkdir -p "$work/alone/bin"
cp "$tern" "$work/alone/bin/tern"
out=$("$work/alone/bin/tern" --check-html-view 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "a program without its plug-in should exit 1, got $rc"
[[ $out == *"is not installed"* ]] || fail "no reason given for the missing plug-in: $out"

mkdir -p "$work/damaged"
head -c 4096 /dev/urandom >"$work/damaged/tern.db"
before=$(sha256sum <"$work/damaged/tern.db")
out=$("$xvfb_run" -a "$tern" --home "$work/damaged" --exit-when-ready 2>/dev/null)
rc=$?
[ $rc -eq 1 ] || fail "a damaged profile should exit 1, got $rc"
[[ $out == "error: [storage] "*"damaged"* ]] || fail "unexpected error line: $out"
[ "$(sha256sum <"$work/damaged/tern.db")" = "$before" ] || fail "the damaged profile was modified"
echo "gui smoke: version, empty profile, mailto: links and damaged profile behave"
