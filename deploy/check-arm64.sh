#!/usr/bin/env bash
# Runs the cross-built arm64 kiosk under qemu-user on this x86-64 machine
# and compares what it says with this machine's own build: --version,
# `config check` of the packaged configuration, `search` on the demo data,
# `card decode` of a captured reader frame (a fictitious sample card).
#
#   deploy/build-deb.sh arm64 && deploy/check-arm64.sh
#
# The database is made by the host build (SQLite files are portable), so
# that the emulated binary runs only single-threaded commands: on the
# machine this was written on, any arm64 program that starts a thread hangs
# in pthread_create under qemu-user (7.2 and 10.0; a five-line C program
# does the same), which is the emulator's problem, not the kiosk's.
# Exit status 0 only if every command succeeded and agreed.
set -euo pipefail
cd "$(dirname "$0")/.."

arm=target/aarch64-unknown-linux-gnu/release/kiosk
host=target/release/kiosk
[ -x "$host" ] || host=target/debug/kiosk
[ -x "$arm" ] || { echo "check-arm64.sh: no $arm: run deploy/build-deb.sh arm64 first" >&2; exit 2; }
[ -x "$host" ] || { echo "check-arm64.sh: no host build: cargo build --release" >&2; exit 2; }
command -v qemu-aarch64 >/dev/null || {
    echo "check-arm64.sh: installing qemu-user"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-user
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/kiosk.toml" <<EOF
[station]
id = "arm64-check"
name = "检查"
latitude = 24.50
longitude = 118.13

[storage]
data_dir = "$work/data"
EOF
export KIOSK_CONFIG="$work/kiosk.toml" HOME="$work"
"$host" import assets/demo/postings.jsonld >/dev/null

failed=0
compare() {
    local what=$1
    shift
    local a b
    if ! a=$(timeout 120 qemu-aarch64 -L /usr/aarch64-linux-gnu "$arm" "$@" 2>&1); then
        echo "✗ $what: the arm64 binary failed:"; echo "$a"; failed=1; return
    fi
    b=$("$host" "$@" 2>&1)
    if [ "$a" = "$b" ]; then
        echo "✓ $what: $(echo "$a" | head -n1)"
    else
        echo "✗ $what: arm64 and host disagree"; diff <(echo "$b") <(echo "$a") || true; failed=1
    fi
}
compare "--version" --version
compare "config check" config check deploy/kiosk.toml.example
compare "search" --now 2026-11-23T09:00:00+08:00 search --within-km 3 --limit 5 --json
compare "card decode" card decode --json tests/fixtures/card-resident-frame.bin
file -b "$arm" | cut -d, -f1-2
exit $failed
