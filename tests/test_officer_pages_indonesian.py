"""Every everyday page an officer (or the administrator) opens is Indonesian, in Indonesian
formats: none of viewflow's English leftovers, no developer notices, no server paths.

The pages are fetched through the test client as the personas would click them, over one SOP A
run finished through the backup (with a return round) and SOP B runs with large counts; the
visible text (and the labels screen readers read) is checked against a list of known leftovers.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from viewflow.workflow.status import STATUS

from workflows.sops.utilization.models import Opd

from .conftest import client_for, do_step, open_task, process_dkb, start_population, start_utilization, task_url
from .test_population_flow import BACKUP, form_team, sign_print_and_distribute
from .test_utilization_flow import add_entry, entry

# What the probe of issue 8 found on officers' pages, and what viewflow prints by default.
LEFTOVERS = [
    r"No viewsets found",
    r"\b\d+-\d+ of \d+\b",
    r"\bEnd\b",
    r"\bBrief\b",
    r"\bProcess summary\b",
    r"\bProcess id\b",
    r"\bActive tasks\b",
    r"\bCancelled\b",
    r"\bFalse\b",
    r"\bTrue\b",
    r"\b(Correct|Approve|Validate|Evaluate|Check) Ok\b",
    r"\b(yes|no)\b",
    r"\bBPMN\b",
    r"(?i)\bdisplay name\b",
    r"(?i)\bcreated\b",
    r"(?i)\bactor\b",
    r"\bOwner\b",
    r"\bPermission\b",
    r"\bUnassigned\b",
    r"\bAssigned\b",
    r"\bFinished\b",
    r"\bYesterday\b",
    r"\bParticipants\b",
    r"(?i)\bstep number\b",
    r"\bOpen navigation menu\b",
    r"\bOfficer\b",
    r"\bOrganisation\b",
    r"\bProcess Data\b",
    r"\b(Form Team|Fill List|Instruct Staff|Print Distribute)\b",
    r"workflows\.org\d",
    r"workflows/flows\.",
]


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the title/label/alt attributes, without
    scripts, styles, and material icon ligatures (``<i class="material-icons">inbox</i>``)."""

    SKIP = {"script", "style", "noscript"}
    ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "label"}

    def __init__(self):
        super().__init__()
        self.parts, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipping = tag in self.SKIP or "material-icons" in (attrs.get("class") or "")
        if tag not in {"br", "img", "input", "meta", "link", "hr", "col", "area", "base", "source"}:
            self.stack.append(skipping)
        if not any(self.stack):
            self.parts.extend(value for name, value in attrs.items() if name in self.ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if self.stack and tag not in {"br", "img", "input", "meta", "link", "hr"}:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack) and data.strip():
            self.parts.append(data.strip())

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.feed(html)
        return "\n".join(parser.parts)


def leftovers(text):
    return sorted({match.group(0) for pattern in LEFTOVERS for match in re.finditer(pattern, text)})


def page(user, url):
    response = client_for(user).get(url)
    assert response.status_code == 200, f"{url} as {user}: {response.status_code}"
    return response.content.decode()


@pytest.fixture
def lived_in(bengkulu, sumbar, dkb_file):
    """SOP A finished through the backup with one return; a second SOP A run waiting in the
    Kabid's queue; SOP B counted with over a million uses; a second SOP B run in the staff's queue."""
    a = bengkulu
    done = start_population(a["kadis"], year=2025, semester=1)
    form_team(a, done)
    process_dkb(a["tim"], done, dkb_file)
    do_step(a["kasi"], done, "correct", {"decision": "return", "notes": "Periksa tabel umur."})
    do_step(a["tim"], done, "process_data", {"notes": "Diperbaiki."})
    do_step(a["kasi"], done, "correct", {"decision": "approve"})
    do_step(a["kabid"], done, "validate", {"decision": "approve"})
    sign_print_and_distribute(a, done, printed_on="2025-01-20")
    do_step(a["adb"], done, "backup", BACKUP)
    waiting = start_population(a["kadis"], year=2025, semester=2)

    b = sumbar
    counted = start_utilization(b["kabid"], year=2026, period_type="triwulan", number=2)
    do_step(b["kasi"], counted, "instruct_staff", {"text": "Isi daftar.", "staff": [b["staf"].pk]})
    opds = list(Opd.objects.filter(organisation=b.organisation).order_by("name"))
    client_for(b["staf"]).post(task_url(counted, open_task(counted, "fill_list"), "assign"))
    add_entry(b["staf"], counted, entry(opds[0], 1234567))
    add_entry(b["staf"], counted, entry(opds[1], 2500))
    do_step(b["staf"], counted, "fill_list", {"action": "submit"})
    queued = start_utilization(b["kabid"], year=2026, period_type="triwulan", number=3)
    do_step(b["kasi"], queued, "instruct_staff", {"text": "Isi daftar.", "staff": [b["staf"].pk]})
    return {"a": a, "b": b, "done": done, "waiting": waiting, "counted": counted, "queued": queued}


def task_pages(process):
    prefix = "population" if process.sop == "A" else "utilization"
    return [f"/{prefix}/{process.pk}/{task.flow_task.name}/{task.pk}/detail/" for task in process.task_set.order_by("pk")]


def test_officers_everyday_pages_show_no_english_leftovers(lived_in, admin_user):
    a, b = lived_in["a"], lived_in["b"]
    visits = [(a[role], url) for role in ("kadis", "kabid", "kasi", "tim", "adb") for url in (
        "/population/", "/population/inbox/", "/population/queue/", "/population/archive/",
        "/population/flows/", "/population/tasks/", f"/population/{lived_in['done'].pk}/",
    )]
    visits += [(a["kadis"], url) for url in ("/sla/", "/notifications/", *task_pages(lived_in["done"]))]
    visits += [(b[role], url) for role in ("kabid", "kasi", "staf", "sekretariat") for url in (
        "/utilization/", "/utilization/inbox/", "/utilization/queue/", "/utilization/archive/",
        "/utilization/flows/", "/utilization/tasks/", f"/utilization/{lived_in['counted'].pk}/", "/notifications/",
    )]
    visits += [(b["kasi"], url) for url in ("/sla/", *task_pages(lived_in["counted"]))]
    visits += [(admin_user, url) for url in (
        "/population/", "/utilization/", "/sla/", "/admin/workflows/officer/", "/admin/workflows/auditevent/",
        "/admin/workflows/opd/", "/admin/workflows/signingidentity/", "/admin/workflows/waktuoverride/",
        "/admin/viewflow/process/", "/admin/viewflow/task/",
    )]
    found = {}
    for user, url in visits:
        text = VisibleText.of(page(user, url))
        if leftovers(text):
            found[f"{user} {url}"] = leftovers(text)
    assert found == {}


def test_the_claim_page_shows_the_step_the_process_and_the_due_moment(lived_in):
    a = lived_in["a"]
    waiting = lived_in["waiting"]
    task = open_task(waiting, "form_team")
    assert task.status == STATUS.NEW
    text = VisibleText.of(page(a["kabid"], task_url(waiting, task, "assign")))
    for expected in (
        "Langkah 2 dari 9", "2. Pembentukan Tim (SK)", "Pelaksana", "Kelengkapan", "Batas waktu",
        "Belum diambil (menunggu di antrean peran)", waiting.brief, "Sesuai jadwal", "Ambil",
    ):
        assert expected in text, expected
    assert not leftovers(text)


def test_indonesian_replacements_stand_where_viewflow_printed_english(lived_in):
    a, b, done = lived_in["a"], lived_in["b"], lived_in["done"]
    assert "0–0 dari 0" in VisibleText.of(page(a["kadis"], "/population/inbox/"))
    processes = VisibleText.of(page(a["kasi"], "/population/flows/"))
    assert all(label in processes for label in ("Periode", "Tugas terbuka", "Semester I 2025", "1–2 dari 2"))
    archive = VisibleText.of(page(a["kadis"], "/population/archive/"))
    assert "Langkah" in archive and "6. Pengesahan laporan" in archive and "Semester I 2025" in archive
    backup_page = VisibleText.of(page(a["adb"], task_url(done, done_task(done, "backup"), "detail")))
    assert "Proses selesai" in backup_page and "Tugas berikutnya" in backup_page
    assert "Keputusan pemeriksaan" in VisibleText.of(page(a["kasi"], task_url(done, done_task(done, "correct"), "detail")))
    # SOP B counts with thousands separators.
    counted = lived_in["counted"]
    detail = VisibleText.of(page(b["kabid"], f"/utilization/{counted.pk}/"))
    assert "1.234.567" in detail and "1234567" not in detail
    count_page = VisibleText.of(page(b["staf"], task_url(counted, open_task(counted, "count"), "execute")))
    assert "Jumlah pemanfaatan: 1.237.067." in count_page and "2.500" in count_page


def done_task(process, node):
    """The first finished task of ``node`` in ``process``."""
    return next(task for task in process.task_set.filter(status=STATUS.DONE).order_by("pk") if task.flow_task.name == node)


def test_the_process_page_names_the_archive_file_but_never_the_server_path(lived_in):
    a, done = lived_in["a"], lived_in["done"]
    backup = done.backups.get()
    html = page(a["kadis"], f"/population/{done.pk}/")
    assert Path(backup.location).name in html
    assert str(Path(backup.location).parent) not in html and str(settings.BACKUP_DIR) not in html


def test_start_is_offered_only_to_officers_who_may_start(lived_in, admin_user):
    a, b = lived_in["a"], lived_in["b"]
    assert 'href="/population/start/"' in page(a["kadis"], "/population/")
    for user in (a["kabid"], a["kasi"], admin_user):
        assert 'href="/population/start/"' not in page(user, "/population/")
    assert 'href="/utilization/start/"' in page(b["kabid"], "/utilization/")
    for user in (b["kasi"], b["staf"], admin_user):
        assert 'href="/utilization/start/"' not in page(user, "/utilization/")
    # The administrator, who belongs to no organisation, is not offered a start that answers 403.
    assert client_for(admin_user).get("/population/start/").status_code == 403


def test_dashboard_and_notifications_menus_carry_no_developer_notice(lived_in):
    a = lived_in["a"]
    for url in ("/sla/", "/notifications/"):
        html = page(a["kadis"], url)
        assert "No viewsets found" not in html and "menu_template_name" not in html
        assert "Kinerja Waktu" in html and "Pemberitahuan" in html
