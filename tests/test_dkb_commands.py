"""manage.py generate_dkb and aggregate_dkb: thin wrappers with the documented JSON contract."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "data" / "dkb"


def test_generate_then_aggregate_writes_exactly_the_json_contract(tmp_path):
    data, out = tmp_path / "bengkulu.csv.gz", tmp_path / "out.json"
    call_command("generate_dkb", province="17", rows=800, seed=9, out=str(data))
    call_command("aggregate_dkb", str(data), cutoff="2025-06-30", province="17", json_path=str(out))
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == {"cutoff", "province", "rows", "quality", "tables"}
    assert result["cutoff"] == "2025-06-30" and result["province"] == "17"
    assert result["rows"] == {"read": 800, "used": 800, "rejected": 0}
    assert sum(row["jumlah"] for row in result["tables"]["penduduk"]) == 800


def test_full_output_adds_kecamatan_tables_derived_indicators_and_names(tmp_path):
    out = tmp_path / "out.json"
    call_command(
        "aggregate_dkb",
        str(CORPUS / "valid.parquet"),
        cutoff="2025-12-31",
        province="17",
        json_path=str(out),
        full=True,
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert {"kecamatan_tables", "derived", "regions", "quality_problems"} <= set(result)
    assert all(len(row["kode"]) == 8 for row in result["kecamatan_tables"]["penduduk"])


def test_bad_file_raises_command_error_with_the_engine_message(tmp_path):
    with pytest.raises(CommandError, match="Kolom wajib tidak ditemukan: AGAMA."):
        call_command("aggregate_dkb", str(CORPUS / "missing_column.csv"), cutoff="2025-06-30", province="17")


def test_bad_file_makes_manage_py_exit_non_zero_with_the_message_on_stderr():
    env = {**os.environ, "DJANGO_SECRET_KEY": "test-only", "DJANGO_ALLOWED_HOSTS": "localhost"}
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "aggregate_dkb",
            str(CORPUS / "xlsx_renamed.csv"),
            "--cutoff",
            "2025-06-30",
            "--province",
            "17",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 1
    assert "berkas Excel atau ZIP" in completed.stderr


def test_generator_refuses_an_output_name_without_a_known_format(tmp_path):
    with pytest.raises(CommandError, match=".csv, .csv.gz or .parquet"):
        call_command("generate_dkb", rows=10, out=str(tmp_path / "people.txt"))


def test_commands_stay_thin_and_never_import_models():
    for name in ("generate_dkb.py", "aggregate_dkb.py"):
        source = (ROOT / "workflows" / "management" / "commands" / name).read_text()
        assert "workflows.models" not in source
        assert len(source.splitlines()) < 80


def test_engine_package_has_no_django_imports():
    import re

    imports = re.compile(r"^\s*(from|import)\s+django", re.MULTILINE)
    sources = list((ROOT / "workflows" / "dkb").glob("*.py"))
    assert len(sources) >= 8
    for path in sources:
        assert not imports.search(path.read_text()), path.name
