"""The catalogue matches the two SOP documents (shared/seeds), step for step."""

import re
from pathlib import Path

import pytest

from workflows.sops.population.definition import SOP_A
from workflows.sops.utilization.definition import SOP_B
from workflows.sops.population.flow import PopulationFlow
from workflows.sops.utilization.flow import UtilizationFlow
from workflows.roles import Role

# Transcribed by hand from the seed tables: (number, actor, Waktu amount, unit).
EXPECTED_A = [
    (1, Role.KADIS, 1, "jam"), (2, Role.KABID, 2, "jam"), (3, Role.TIM, 7, "hari"), (4, Role.KASI, 1, "jam"),
    (5, Role.KABID, 30, "menit"), (6, Role.KADIS, 30, "menit"), (7, Role.KABID, 30, "menit"),
    (8, Role.KASI, 7, "hari"), (9, Role.ADB, 1, "jam"),
]
EXPECTED_B = [
    (1, Role.KABID, 10, "menit"), (2, Role.KASI, 10, "menit"), (3, Role.STAF, 2, "jam"), (4, Role.STAF, 15, "menit"),
    (5, Role.KASI, 2, "jam"), (6, Role.KABID, 3, "jam"), (7, Role.SEKRETARIAT, 15, "menit"),
]

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize("sop, expected", [(SOP_A, EXPECTED_A), (SOP_B, EXPECTED_B)], ids=["A", "B"])
def test_catalogue_has_every_step_with_its_actor_and_time_standard(sop, expected):
    assert [(s.number, s.actor, s.waktu_amount, s.waktu_unit) for s in sop.steps] == expected
    for step in sop.steps:
        assert step.kegiatan and step.output and step.kelengkapan and step.title


def test_catalogue_keeps_the_identity_blocks():
    assert SOP_A.identity.nomor == "10.09.04.028"
    assert SOP_A.identity.nama == "Pengolahan dan Penyajian Data Kependudukan"
    assert len(SOP_A.identity.dasar_hukum) == 3
    assert SOP_A.identity.tanggal_pembuatan.isoformat() == "2017-08-12"
    assert SOP_B.identity.tanggal_pembuatan.isoformat() == "2019-12-02"
    assert len(SOP_B.identity.dasar_hukum) == 6 and len(SOP_B.identity.keterkaitan) == 5
    assert SOP_B.identity.kualifikasi_pelaksana == ("Min D3 Komputer",)


@pytest.mark.parametrize("flow, sop", [(PopulationFlow, SOP_A), (UtilizationFlow, SOP_B)], ids=["A", "B"])
def test_every_catalogue_step_is_a_flow_node_titled_from_the_catalogue(flow, sop):
    for step in sop.steps:
        node = flow.instance.node(step.node)
        assert node is not None, step.node
        assert str(node.task_title) == f"{step.number}. {step.title}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside this checkout")
@pytest.mark.parametrize("name, sop", [("000_09096938b9a75ca2.txt", SOP_A), ("004_3e685b74040320b5.txt", SOP_B)])
def test_time_standards_agree_with_the_seed_text(name, sop):
    text = (SEEDS / name).read_text()
    found = {}
    for line in text.splitlines():
        match = re.match(r"^(\d)\t", line)
        waktu = re.search(r"\t(\d+) (menit|jam|Jam|hari)\t", line)
        if match and waktu:
            found[int(match.group(1))] = (int(waktu.group(1)), waktu.group(2).lower())
    assert found == {s.number: (s.waktu_amount, s.waktu_unit) for s in sop.steps}
