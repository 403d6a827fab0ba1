# Shared by the benchmark scripts: dependencies, a release build, and a throwaway $HEADWAY_HOME.
# Sets $headway and $work; the embedded cluster in $work is stopped and removed at exit unless
# KEEP_WORK is set.
cd "$(dirname "$0")/.."
scripts/install-dependencies
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 1; }
# HEADWAY_BIN: time another build of headway (say, the one before a change) instead.
[ -n "${HEADWAY_BIN:-}" ] || swift build -c release --product headway >/dev/null
headway=${HEADWAY_BIN:-$PWD/.build/release/headway}
work=$(mktemp -d /tmp/headway-bench-XXXXXX); chmod 711 "$work"
export HEADWAY_HOME="$work/home"
[ -n "${KEEP_WORK:-}" ] || trap '"$headway" db stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The median of three numbers (timings on a small machine are noisy: each is measured three times).
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# A portfolio of METRICS metrics, COMMITMENTS commitments and OBSERVATIONS figures, applied and
# loaded into the embedded database, then vacuumed and analysed.
load_portfolio() {
  python3 scripts/lib/portfolio.py "$work" "$@"
  "$headway" apply "$work/definitions.yaml" >/dev/null
  "$headway" load "$work/observations.csv" >/dev/null
  psql -q "$("$headway" db url)" -c "VACUUM ANALYZE" >/dev/null
}
