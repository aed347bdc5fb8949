#!/usr/bin/env python
"""Benchmark the semester outputs: the final population report and the encrypted backup.

    .venv/bin/python bench/bench_outputs.py                 # 2,127,957 rows (Bengkulu), 3 runs each
    .venv/bin/python bench/bench_outputs.py --rows 50000    # quick look

Generates the synthetic extract with the project's generator (kept in the work dir), aggregates
it once with the DKB engine and caches the result JSON next to it, then times:

- render: ``render_population_report(..., final=True)`` (target <= 5 s, median of the runs);
- signing: the rendered report signed PAdES B-LT (certified, QR stamp, an RFC 3161 timestamp from
  a local timestamp authority on 127.0.0.1 and the chain's CRL embedded: ``tests/timestamping.py``,
  the tests' own), the same ``Pkcs12Signer`` step 6 uses;
- backup: the semester members (raw CSV extract, aggregate CSV and XLSX, the report PDF, the
  manifest) written and checked by ``create_backup`` into a fresh folder (target <= 15 s,
  median), and the archive's size against the raw extract's (target <= 25 %, median). The
  writer is the 7-Zip program when installed (``SOPFLOW_7Z``; empty for py7zr, the fallback).

Wall and CPU seconds are both printed: on a shared 2-core machine the wall time also measures
the neighbours, the CPU time measures this code.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sopflow.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
BENCH_PASSWORD = "bench-only-password"  # synthetic data; the archive is deleted after each run


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def prepare(rows, seed, work_dir):
    from workflows.dkb.aggregate import aggregate_file
    from workflows.dkb.generator import write_dkb

    work_dir.mkdir(parents=True, exist_ok=True)
    extract = work_dir / f"dkb-17-{rows}-seed{seed}.csv"
    if not extract.exists():
        print(f"generating {rows:,} rows -> {extract}", flush=True)
        partial = extract.with_suffix(".part.csv")
        write_dkb(partial, province="17", rows=rows, seed=seed)
        partial.rename(extract)
    cached = work_dir / f"aggregate-17-{rows}-seed{seed}.json"
    if not cached.exists():
        print("aggregating (cached afterwards)", flush=True)
        result = aggregate_file(extract, cutoff="2025-06-30", province="17").as_dict()
        cached.write_text(json.dumps(result, default=str), encoding="utf-8")
    return extract, json.loads(cached.read_text(encoding="utf-8"))


def sign_report(pdf, runs, timings, work_dir):
    """Sign ``pdf`` ``runs`` times as step 6 does; wall and CPU seconds appended to ``timings``."""
    sys.path.insert(0, str(ROOT / "tests"))
    from timestamping import LocalTrustServices

    from workflows.signing import Pkcs12Signer, timestamper_for
    from workflows.sops.population.report import SIGNATURE_PLACEMENT

    services = LocalTrustServices()
    try:
        p12 = services.signer_p12(Path(tempfile.mkdtemp(prefix="signer-", dir=work_dir)) / "kadis.p12",
                                  "Pejabat Contoh", BENCH_PASSWORD)
        signer = Pkcs12Signer(p12, timestamper=timestamper_for(services.tsa_url), trust_roots=[services.root])
        signed = None
        for _run in range(runs):
            signed, wall, cpu = timed(lambda: signer.sign(
                pdf, signer_name="Pejabat Contoh", reason="Pengesahan laporan (bench)", location="Bengkulu",
                passphrase=BENCH_PASSWORD, verification_url="https://sopflow.example.go.id/verifikasi/bench/",
                placement=SIGNATURE_PLACEMENT,
            ))
            timings.append((wall, cpu))
            print(f"signing: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
        shutil.rmtree(p12.parent, ignore_errors=True)
        return signed
    finally:
        services.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_127_957)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()) / "sopflow-bench-outputs")
    args = parser.parse_args()

    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from workflows.sops.population.backup import create_backup, semester_members, seven_zip, verify_backup
    from workflows.models import Organisation, SopProcess
    from workflows.sops.population.report import render_population_report

    extract, result = prepare(args.rows, args.seed, args.work_dir)
    organisation = Organisation(
        name="Dinas Kependudukan dan Pencatatan Sipil Provinsi Bengkulu", short_name="Disdukcapil Bengkulu",
        province_code="17", province_name="Bengkulu", head_title="Kepala Dinas", head_name="Pejabat Contoh",
        head_nip="197001011995031001",
    )
    process = SopProcess(organisation=organisation, sop="A", year=2025, period_type="semester", period_number=1)
    print(f"rows used {result['rows']['used']:,}; extract {extract.stat().st_size / 1e6:.0f} MB; "
          f"nproc {os.cpu_count()}; load {os.getloadavg()[0]:.2f}", flush=True)

    # One warm-up render: the first one also pays for imports and the font cache.
    render_population_report(process, result, final=True, approved_at=date(2025, 7, 21))
    renders = []
    for _run in range(args.runs):
        pdf, wall, cpu = timed(lambda: render_population_report(process, result, final=True,
                                                                approved_at=date(2025, 7, 21)))
        renders.append((wall, cpu))
        print(f"render: {wall:.2f} s wall, {cpu:.2f} s CPU, {len(pdf) / 1e3:.0f} kB", flush=True)

    signings = []
    signed = sign_report(pdf, args.runs, signings, args.work_dir)
    print(f"signed report: {len(signed) / 1e3:.0f} kB", flush=True)

    backups = []
    for _run in range(args.runs):
        destination = Path(tempfile.mkdtemp(prefix="backup-", dir=args.work_dir))
        try:
            def backup():
                members = semester_members(process, result=result, report_pdf=pdf, uploads=[extract])
                return create_backup(destination, "bench", members, BENCH_PASSWORD)

            children = os.times()
            (path, _digest), wall, cpu = timed(backup)
            after = os.times()
            child_cpu = after.children_user + after.children_system - children.children_user - children.children_system
            size = path.stat().st_size
            backups.append((wall, cpu + child_cpu, size))
            print(f"backup ({seven_zip() or 'py7zr'}): {wall:.2f} s wall, {cpu:.2f} s CPU here + {child_cpu:.2f} s "
                  f"in 7-Zip, {size / 1e6:.1f} MB = {100 * size / extract.stat().st_size:.1f} % of the extract", flush=True)
            if _run == 0:
                _report, verify_wall, _cpu = timed(lambda: verify_backup(path, BENCH_PASSWORD))
                print(f"verify: {verify_wall:.2f} s wall", flush=True)
        finally:
            shutil.rmtree(destination, ignore_errors=True)

    render_wall = statistics.median(wall for wall, _cpu in renders)
    backup_wall = statistics.median(wall for wall, _cpu, _size in backups)
    ratio = 100 * statistics.median(size for _wall, _cpu, size in backups) / extract.stat().st_size
    print(f"\nmedian render {render_wall:.2f} s (CPU {statistics.median(c for _w, c in renders):.2f} s), "
          f"target <= 5 s: {'OK' if render_wall <= 5 else 'OVER'}")
    print(f"median signing (B-LT, local TSA) {statistics.median(w for w, _c in signings):.2f} s "
          f"(CPU {statistics.median(c for _w, c in signings):.2f} s)")
    print(f"median backup {backup_wall:.2f} s (CPU {statistics.median(c for _w, c, _s in backups):.2f} s), "
          f"target <= 15 s: {'OK' if backup_wall <= 15 else 'OVER'}")
    print(f"median archive size {ratio:.1f} % of the raw extract ({extract.stat().st_size / 1e6:.0f} MB), "
          f"target <= 25 %: {'OK' if ratio <= 25 else 'OVER'}")


if __name__ == "__main__":
    main()
