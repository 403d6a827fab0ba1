"""A benchmark portfolio: METRICS metrics with a monthly series each, OBSERVATIONS rows in all,
and COMMITMENTS commitments made in the last five years of their series, ten per metric, with
various targets so that several statuses occur. Writes WORK/definitions.yaml and
WORK/observations.csv.

Usage: python3 scripts/lib/portfolio.py WORK METRICS COMMITMENTS OBSERVATIONS
"""
import sys, datetime
work, metrics, commitments, observations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
per_metric = -(-observations // metrics)
first_year = 2025 - per_metric // 12
def month_end(year, month):
    return datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)
with open(f"{work}/definitions.yaml", "w") as f:
    f.write("sources:\n  - key: bench\n    title: Benchmark source\nmetrics:\n")
    for m in range(metrics):
        f.write(f"  - {{key: metric-{m}, name: Metric {m}, unit: things, kind: additive}}\n")
    f.write("commitments:\n")
    for c in range(commitments):
        m, k = c % metrics, c // metrics
        start = 2020 + k % 5
        target = 12 * (2026 - start) * (5 + k * 3)
        f.write(f"  - {{key: pledge-{c}, title: Pledge {c}, metric: metric-{m}, baseline: {{date: {start}-01}}, "
                f"target: {{value: {target}}}, deadline: 2026-12}}\n")
with open(f"{work}/observations.csv", "w") as f:
    f.write("metric,period_start,period_end,value,qualifier,source,published_on,note\n")
    written = 0
    for m in range(metrics):
        for i in range(per_metric):
            if written == observations: break
            year, month = first_year + i // 12, i % 12 + 1
            end = month_end(year, month)
            f.write(f"metric-{m},{year}-{month:02d},{year}-{month:02d},{10 + (m * 7 + i * 13) % 11},exact,bench,{end},\n")
            written += 1
