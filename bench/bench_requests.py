#!/usr/bin/env python
"""Bench the two heaviest requests of SOP A over HTTP: the step-6 sign and the step-9 backup.

    .venv/bin/python bench/bench_requests.py                      # 2.1M rows, 3 runs, SQLite
    .venv/bin/python bench/bench_requests.py --database postgres  # on a fresh PostgreSQL database
    .venv/bin/python bench/bench_requests.py --rows 50000 --runs 2  # quick look

The set-up is the soak's (bench/soak.py), without kills: a fresh VAR_DIR, the three processes of
`make run` (runserver, run_jobs, run_timers; DEBUG off), ``--runs`` SOP A processes at step 3.
For each, over HTTP as the officers: upload the full-semester extract (``generate_dkb
--province 17 --rows 2100000 --seed 7``), wait for the tables, steps 3-5, wait for the background
work (the final report), then time the Kadis's sign POST (step 6) and, after steps 7-8, the
ADB's backup POST (step 9). Reports every run and the medians; target: the sign request at most
2 s. The backup is reported (it archives the whole raw extract, about 200 MB).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import soak  # noqa: E402 - the soak's machinery, from this folder

SIGN_TARGET = 2.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/sopflow_soak_bench")
    parser.add_argument("--rows", type=int, default=2_100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8108)
    parser.add_argument("--deadline", type=float, default=3600.0)
    parser.add_argument("--cache-dir", type=Path, default=soak.Config.cache_dir)
    parser.add_argument("--root", type=Path, default=soak.ROOT)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    config = soak.Config(database=args.database, pg_url=args.pg_url, rows=args.rows, seed=args.seed, signings=0,
                         uploads=args.runs - 1, worker_kills=0, server_kills=0, port=args.port,
                         deadline=args.deadline, cache_dir=args.cache_dir, root=args.root.resolve(), keep=args.keep)
    session = soak.Session(config)
    signs, backups, problems = [], [], []
    try:
        extract, ids = session.start(signings=0, step3=args.runs)
        session.wait_jobs_idle("set-up jobs finished")
        for number, entry in enumerate(ids["step3"], start=1):
            process = entry["process"]
            ok, hit = session.upload(process, entry["cutoff"], extract)
            if not ok:
                raise soak.SoakError(f"upload to {process}: {hit.status} {hit.reason}")
            uploaded = time.perf_counter()
            session.wait_jobs_idle(f"tables of process {process}")
            aggregated = time.perf_counter() - uploaded
            signed = session.to_backup(process)
            ok, backup = session.step("adb", process, "backup", session.backup_data())
            if not ok:
                raise soak.SoakError(f"backup of {process}: {backup.status} {backup.reason}")
            signs.append(signed.seconds)
            backups.append(backup.seconds)
            session.log(f"run {number}: upload {hit.seconds:.2f} s, tables after {aggregated:.2f} s, "
                        f"sign {signed.seconds:.2f} s, backup {backup.seconds:.2f} s")
    except soak.SoakError as error:
        problems.append(str(error))
    finally:
        exceptions = session.stack.server_exceptions()
        session.close()
    errors = [hit for hit in session.recorder.hits if hit.status is None or hit.status >= 500]
    print(f"\nrequests over HTTP ({args.database}, {args.rows:,} rows, {len(signs)} run(s)):")
    if signs:
        sign = statistics.median(signs)
        print(f"  step-6 sign request:   median {sign:.2f} s  (runs: {', '.join(f'{s:.2f}' for s in signs)})  "
              f"target <= {SIGN_TARGET:.0f} s: {'OK' if sign <= SIGN_TARGET else 'OVER'}")
        print(f"  step-9 backup request: median {statistics.median(backups):.2f} s  "
              f"(runs: {', '.join(f'{b:.2f}' for b in backups)})")
    for hit in errors:
        print(f"  error: {hit.label} {hit.method} {hit.path}: {hit.status} {hit.reason}")
    for line, count in exceptions.items():
        print(f"  server exception: {count} x {line}")
    for problem in problems:
        print(f"  stopped: {problem}")
    return 1 if problems or errors or not signs else 0


if __name__ == "__main__":
    sys.exit(main())
