#!/usr/bin/env python
"""Benchmark the DKB engine against a bare DuckDB script on the same synthetic file.

    .venv/bin/python bench/bench_dkb.py                  # 2,127,957 rows (Bengkulu), 3 runs each
    .venv/bin/python bench/bench_dkb.py --rows 50000000  # out-of-core check, 1 run each

(a) is ``manage.py aggregate_dkb`` as a subprocess, exactly as a user runs it (Django start-up,
validation, JSON written); (b) is a plain DuckDB script that reads the file once and computes the
same tables (the kecamatan grouping sets, households per kecamatan and kab/kota) without any
checks: no duplicate-NIK search, no quality report. Runs alternate a, b, a, b, ... so that a busy
machine hurts both alike; medians are reported with the ratio a/b (target <= 1.5), the same for
CPU seconds, and the peak RSS of (a) (target <= 1 GB at 2.1M rows, <= 4 GB at 50M rows),
measured per child with ``os.wait4``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE_SCRIPT = r"""
import json, sys, duckdb
path, cutoff_year, cutoff_mmdd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
source = (f"read_parquet('{path}')" if path.endswith(".parquet")
          else f"read_csv('{path}', dateformat = '%d-%m-%Y')")
con.execute(f'''CREATE TABLE t AS SELECT NIK, NO_KK, JENIS_KLMIN, TGL_LHR, AGAMA, STAT_KWN, STAT_HBKEL,
    PDDK_AKH, JENIS_PKRJN, GOL_DRH, AKTA_LHR, NO_KAB, NO_KEC FROM {source}''')
age = (f"{cutoff_year} - year(TGL_LHR) - CASE WHEN month(TGL_LHR) * 100 + day(TGL_LHR) > {cutoff_mmdd} "
       "THEN 1 ELSE 0 END")
dims = ["age", "AGAMA", "PDDK_AKH", "JENIS_PKRJN", "STAT_KWN", "GOL_DRH", "STAT_HBKEL", "AKTA_LHR", "wajib"]
sets = ", ".join(f"(NO_KAB, NO_KEC, JENIS_KLMIN, {d})" for d in dims)
columns = ", ".join(dims)
rows = con.execute(f'''SELECT NO_KAB, NO_KEC, JENIS_KLMIN, {columns}, GROUPING({columns}), count(*)
    FROM (SELECT *, {age} AS age, ({age}) >= 17 OR STAT_KWN <> 1 AS wajib FROM t)
    GROUP BY GROUPING SETS ({sets})''').fetchall()
households = con.execute('''SELECT NO_KAB, NO_KEC, count(DISTINCT NO_KK) FROM t
    GROUP BY GROUPING SETS ((NO_KAB), (NO_KAB, NO_KEC))''').fetchall()
population = {}
for row in rows:
    if row[-2] == (1 << len(dims)) - 1 - (1 << (len(dims) - 1)):  # the age grouping set
        population[int(row[0])] = population.get(int(row[0]), 0) + row[-1]
kab_households = {int(kab): number for kab, kec, number in households if kec is None}
json.dump({"population": population, "households": kab_households}, sys.stdout)
"""


def run(command, env):
    """Wall time, peak RSS in MB and stdout of one child process."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, cwd=ROOT)
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the maximum over all children).
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(map(str, command))}\n{stderr.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_127_957)
    parser.add_argument("--work-dir", default="/tmp/sopflow-bench")
    parser.add_argument("--repeat", type=int, help="runs of each side (default 3, or 1 above 10M rows)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--format", choices=("csv", "csv.gz", "parquet"), default="csv")
    parser.add_argument("--cutoff", default="2025-06-30")
    parser.add_argument("--memory-limit", help="passed to aggregate_dkb (default: the engine's own)")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.rows > 10_000_000 else 3)

    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"dkb-17-{args.rows}-seed{args.seed}.{args.format}"
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", "bench-only-secret")
    env.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    if not data.exists():
        # In a child process: a forked child starts with its parent's peak RSS, so this process
        # must stay small for the RSS figures below to mean anything.
        partial = work / ("partial-" + data.name)
        seconds, rss, _out, _cpu = run(
            [
                sys.executable,
                "manage.py",
                "generate_dkb",
                "--province",
                "17",
                "--rows",
                str(args.rows),
                "--seed",
                str(args.seed),
                "--out",
                str(partial),
            ],
            env,
        )
        partial.rename(data)
        print(f"generated {data} ({args.rows:,} rows) in {seconds:.1f} s, peak RSS {rss:.0f} MB")
    print(f"file {data}: {data.stat().st_size / 1e6:,.0f} MB, {args.rows:,} rows; nproc {os.cpu_count()}")
    year, month, day = (int(part) for part in args.cutoff.split("-"))
    engine = [
        sys.executable,
        "manage.py",
        "aggregate_dkb",
        str(data),
        "--cutoff",
        args.cutoff,
        "--province",
        "17",
        "--json",
        str(work / "aggregate.json"),
    ]
    if args.memory_limit:
        engine += ["--memory-limit", args.memory_limit]
    bare = [sys.executable, "-c", BARE_SCRIPT, str(data), str(year), str(month * 100 + day)]

    engine_times, bare_times, engine_rss, bare_rss, engine_cpu, bare_cpu = [], [], [], [], [], []
    for index in range(repeat):
        seconds, rss, _out, cpu = run(engine, env)
        engine_times.append(seconds)
        engine_rss.append(rss)
        engine_cpu.append(cpu)
        seconds, rss, bare_out, cpu = run(bare, env)
        bare_times.append(seconds)
        bare_rss.append(rss)
        bare_cpu.append(cpu)
        print(
            f"run {index + 1}: aggregate_dkb {engine_times[-1]:6.2f} s (cpu {engine_cpu[-1]:5.2f} s) "
            f"{engine_rss[-1]:6.0f} MB | bare duckdb {bare_times[-1]:6.2f} s (cpu {bare_cpu[-1]:5.2f} s) "
            f"{bare_rss[-1]:6.0f} MB",
            flush=True,
        )

    result = json.loads((work / "aggregate.json").read_text())
    bare_result = json.loads(bare_out)
    engine_population = {
        int(row["kode"][3:]): row["jumlah"] for row in result["tables"]["penduduk"] if row["jumlah"]
    }
    same = engine_population == {int(k): v for k, v in bare_result["population"].items()}

    engine_median, bare_median = statistics.median(engine_times), statistics.median(bare_times)
    limit_mb = 1024 if args.rows <= 2_200_000 else 4096
    print(
        f"\nmedian aggregate_dkb {engine_median:.2f} s | median bare duckdb {bare_median:.2f} s | "
        f"ratio {engine_median / bare_median:.2f} (target <= 1.5)"
    )
    # CPU seconds (user + sys) barely move when other work shares the machine; wall time does.
    engine_cpu_median, bare_cpu_median = statistics.median(engine_cpu), statistics.median(bare_cpu)
    print(
        f"median cpu aggregate_dkb {engine_cpu_median:.2f} s | "
        f"median cpu bare duckdb {bare_cpu_median:.2f} s | "
        f"ratio {engine_cpu_median / bare_cpu_median:.2f}"
    )
    print(
        f"peak RSS aggregate_dkb {max(engine_rss):.0f} MB (target <= {limit_mb} MB) | "
        f"bare duckdb {max(bare_rss):.0f} MB"
    )
    print(
        f"rows read {result['rows']['read']:,}, used {result['rows']['used']:,}; "
        f"kab/kota populations equal to the bare script's: {same}; nproc {os.cpu_count()}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
