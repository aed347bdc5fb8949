"""Kemendagri region codes and names shipped with the engine (``data/regions.csv``).

Source: Kepmendagri 300.2.2-2138/2025 as published in the public repository cahyadsn/wilayah
(``db/wilayah.sql`` for kab/kota and kecamatan names and codes, ``db/wilayah_penduduk.sql`` for
the kab/kota populations the synthetic generator uses as shares). Only provinces 13 (Sumatera
Barat) and 17 (Bengkulu) are shipped: 19 + 10 kab/kota and 179 + 129 kecamatan, matching the
counts in domain.md section 3.

``data/desa.csv`` holds the desa/nagari/kelurahan codes and names (with their kecamatan code) from
the same Kepmendagri table and copy: 1,265 in the 179 kecamatan of province 13 and 1,513 in the 129
of province 17; the file's header names the decree and the commit. The synthetic generator draws
its NO_KEL from it and the semester book names the desa/kelurahan of its annex with it.

``data/luas_wilayah.csv`` holds the area (km²) of the two provinces and their kab/kota, from the
Badan Informasi Geospasial's 2024 letter as published in cahyadsn/wilayah ``db/wilayah_luas.sql``
(the file's header names the letter and the commit); the semester book prints it with that source.
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "regions.csv"


@dataclass(frozen=True)
class Region:
    code: str  # "17", "17.01" or "17.01.01"
    level: str  # "provinsi" | "kabupaten_kota" | "kecamatan"
    name: str
    male: int | None = None
    female: int | None = None
    total: int | None = None


@lru_cache(maxsize=1)
def all_regions():
    with open(DATA_FILE, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    regions = {}
    for row in rows:
        numbers = [int(row[key]) if row[key] else None for key in ("laki_laki", "perempuan", "jumlah")]
        regions[row["kode"]] = Region(row["kode"], row["tingkat"], row["nama"], *numbers)
    return regions


def provinces():
    return sorted(code for code, region in all_regions().items() if region.level == "provinsi")


def regencies(province):
    """Kab/kota of a province, in code order."""
    return [
        region
        for code, region in sorted(all_regions().items())
        if region.level == "kabupaten_kota" and code.startswith(province + ".")
    ]


def districts(regency_code):
    """Kecamatan of a kab/kota (``"17.01"``), in code order."""
    return [
        region
        for code, region in sorted(all_regions().items())
        if region.level == "kecamatan" and code.startswith(regency_code + ".")
    ]


def name_of(code):
    region = all_regions().get(code)
    return region.name if region else None


def regency_code(province, kab):
    return f"{int(province):02d}.{int(kab):02d}"


def district_code(province, kab, kec):
    return f"{int(province):02d}.{int(kab):02d}.{int(kec):02d}"


AREA_FILE = Path(__file__).with_name("data") / "luas_wilayah.csv"
# Printed under every table that uses the areas (the file's header names the letter and the copy).
AREA_SOURCE = "Badan Informasi Geospasial, Surat Nomor B-16.10/DIGD-BIG/IGD.04.04/12/2024"


@lru_cache(maxsize=1)
def areas():
    """{code: area in km²} for the provinces and kab/kota of ``data/luas_wilayah.csv``."""
    with open(AREA_FILE, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {row["kode"]: float(row["luas_km2"]) for row in csv.DictReader(lines)}


VILLAGE_FILE = Path(__file__).with_name("data") / "desa.csv"


@dataclass(frozen=True)
class Village:
    code: str  # "17.01.01.2001"
    name: str
    district: str  # kecamatan code, "17.01.01"


@lru_cache(maxsize=1)
def villages():
    """{code: Village} for every desa/kelurahan of ``data/desa.csv``, in code order."""
    with open(VILLAGE_FILE, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {row["kode"]: Village(row["kode"], row["nama"], row["kode_kecamatan"]) for row in csv.DictReader(lines)}


def villages_of(district):
    """Desa/kelurahan of a kecamatan (``"17.01.01"``), in code order; empty when not shipped."""
    return _villages_by_district().get(district, [])


@lru_cache(maxsize=1)
def _villages_by_district():
    grouped = {}
    for village in villages().values():
        grouped.setdefault(village.district, []).append(village)
    return grouped


def village_name(code):
    village = villages().get(code)
    return village.name if village else None


def village_code(province, kab, kec, kel):
    return f"{int(province):02d}.{int(kab):02d}.{int(kec):02d}.{int(kel):04d}"
