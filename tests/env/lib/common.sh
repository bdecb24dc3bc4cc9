# shellcheck shell=bash
# Shared by tests/env/up and tests/env/down (sourced, not run).

say() { echo "${0##*/}: $*" >&2; }
die() { say "$*"; exit 1; }

# Logs of each server, for the failure report.
declare -A SERVER_LOGS=(
    [fake-idp]="idp/stdout.log idp/fake-idp.log"
    [postfix]="postfix/master.log postfix/postfix.log"
    [dovecot-main]="main/stdout.log main/dovecot.log"
    [dovecot-fallback]="fallback/stdout.log fallback/dovecot.log"
    [forwarder]="forward.log"
)

show_logs() { # DIR NAME
    local log
    for log in ${SERVER_LOGS[$2]:-}; do
        [[ -s $1/$log ]] || continue
        echo "---- last lines of $1/$log ----" >&2
        tail -n 25 "$1/$log" >&2
    done
}

# start_daemon DIR NAME LOG COMMAND...: runs COMMAND in its own session, marked with
# TERN_ENV_DIR (how down and the leftover checks recognise it), stdio away from our caller (a
# CTest pipe held open by a daemon would make CTest wait for ever), pid in DIR/pids/NAME.pid.
start_daemon() {
    local dir=$1 name=$2 log=$3
    shift 3
    TERN_ENV_DIR=$dir setsid "$@" </dev/null >"$dir/$log" 2>&1 &
    echo $! >"$dir/pids/$name.pid"
}

pid_of() { cat "$1/pids/$2.pid"; }
