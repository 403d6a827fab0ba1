"""Observation files for scripts/bench-load, over METRICS metrics (one in ten a level metric),
each series month after month as statistical releases publish them. Writes WORK/definitions.yaml
and, for ROWS rows:

  first load:   WORK/observations-ROWS.csv, ROWS rows (periods 0 .. ROWS/METRICS per metric)
  --incremental, the loads of issue 14 in the order the benchmark makes them:
    WORK/base-ROWS.csv        the first half of every series (loaded by a writer login)
    WORK/append-ROWS.csv      the second half: new periods for metrics that have data
    WORK/republish-ROWS.csv   the whole history again, 1% revised, 3% new periods (1.03 x ROWS)
    WORK/revisions-ROWS.csv   one figure in ten revised (ROWS / 10)
  and the append file again as the reload where nothing changes, then the same rows by period
  (every metric's figure for one month, then the next month's), as WORK/append-by-period-ROWS.csv.

Usage: python3 scripts/lib/load-files.py WORK ROWS METRICS [--incremental]
"""
import sys, datetime
work, rows, metrics = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
incremental = "--incremental" in sys.argv[4:]

with open(f"{work}/definitions.yaml", "w") as f:
    f.write("sources:\n  - key: bench\n    title: Benchmark source\n    published_on: 2024-01-01\nmetrics:\n")
    for m in range(metrics):
        f.write(f"  - key: metric-{m}\n    name: Metric {m}\n    unit: things\n    kind: {'level' if m % 10 == 0 else 'additive'}\n")

def row(m, i, published="2024-01-01", change=0):
    """Period i of metric m (month i after January 1900), changed by `change` in a revision."""
    year, month = 1900 + i // 12, i % 12 + 1
    end = datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)
    start = "" if m % 10 == 0 else f"{year}-{month:02d}-01"
    return f"metric-{m},{start},{end},{(m * 7919 + i * 104729) % 100000 / 10 + change},exact,bench,{published},\n"

def write(name, periods, limit=None):
    """Every metric's rows for `periods(m)`, metric by metric: an iterable of (i, published, change)."""
    with open(f"{work}/{name}", "w") as f:
        f.write("metric,period_start,period_end,value,qualifier,source,published_on,note\n")
        written = 0
        for m in range(metrics):
            for i, published, change in periods(m):
                if written == limit: return
                f.write(row(m, i, published, change))
                written += 1

per_metric = -(-rows // metrics)
if not incremental:
    write(f"observations-{rows}.csv", lambda m: ((i, "2024-01-01", 0) for i in range(per_metric)), rows)
    sys.exit()

half = per_metric // 2
new = per_metric * 3 // 100
write(f"base-{rows}.csv", lambda m: ((i, "2024-01-01", 0) for i in range(half)))
write(f"append-{rows}.csv", lambda m: ((i, "2024-02-01", 0) for i in range(half, per_metric)))
write(f"republish-{rows}.csv", lambda m: (
    (i, "2024-03-01", 1) if i % 100 == 50 else (i, "2024-03-01", 0) if i >= per_metric
    else (i, "2024-01-01" if i < half else "2024-02-01", 0)
    for i in range(per_metric + new)))
write(f"revisions-{rows}.csv", lambda m: ((i, "2024-04-01", 2) for i in range(3, per_metric, 10)))
with open(f"{work}/append-by-period-{rows}.csv", "w") as f:
    f.write("metric,period_start,period_end,value,qualifier,source,published_on,note\n")
    for i in range(half, per_metric):
        for m in range(metrics):
            f.write(row(m, i, "2024-02-01"))
