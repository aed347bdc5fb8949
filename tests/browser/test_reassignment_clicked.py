"""A supervisor's reassignment clicked through in a real (headless) Chromium.

The Kabid opens "Penugasan" from the menu, finds the Tim member's open step 3 in the list of who
holds what, reassigns it to the other member named in the SK with a reason; that member logs
in, finds the task in the Kotak Masuk and reads the reason on the task page.
"""

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from viewflow.workflow.status import STATUS  # noqa: E402

from tests.browser.test_sop_a_clicked_through import (  # noqa: E402,F401
    base_url, browser, local_only, log_in, log_out, open_from_list, org, page, shoot,
)
from tests.conftest import client_for, do_step, open_task, start_population, task_url  # noqa: E402
from workflows.models import AuditEvent, Reassignment  # noqa: E402

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
expect = sync_api.expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Tim sedang dinas luar ke Jakarta; dilanjutkan Tim2 agar batas waktu terpenuhi."


@local_only
def test_the_kabid_reassigns_a_members_step_3_and_the_other_member_finds_it_with_the_reason(org, page, tmp_path):
    process = start_population(org["kadis"])
    do_step(org["kabid"], process, "form_team", {
        "number": "800/1/2025", "date": "2025-07-01", "members": [org["tim"].pk, org["tim2"].pk],
    })
    task = open_task(process, "process_data")
    assert client_for(org["tim"]).post(task_url(process, task, "assign")).status_code == 302

    log_in(page, "bkl.kabid")
    page.get_by_role("link", name=re.compile("Penugasan")).first.click()
    expect(page.locator("h1.vf-card__title")).to_contain_text("Siapa memegang apa")
    row = page.locator("tr", has=page.locator(f'input[name=tasks][value="{task.pk}"]'))
    expect(row).to_contain_text("Pengolahan data kependudukan")
    expect(page.locator("h4.sop-officer").first).to_contain_text("Tim BKL")
    row.get_by_role("link", name="Alihkan").click()

    expect(page.locator("h1.vf-card__title")).to_have_text("Alihkan tugas")
    expect(page.locator(".sop-holder")).to_have_text("Tim BKL")
    page.locator("select[name=target]").select_option(str(org["tim2"].pk))
    page.locator("textarea[name=reason]").fill(REASON)
    page.get_by_role("button", name="Alihkan", exact=True).click()
    expect(page.get_by_text(f"Tugas #{task.pk} dialihkan kepada Tim2 BKL.")).to_be_visible()
    shoot(page, tmp_path, "reassigned-process.png")
    log_out(page)

    log_in(page, "bkl.tim2")
    open_from_list(page, "Kotak Masuk", "Pengolahan data kependudukan", process.pk)
    expect(page).to_have_url(re.compile(rf"/{task.pk}/execute/$"))
    expect(page.locator(".sop-reassigned__reason")).to_have_text(REASON)
    expect(page.locator(".sop-reassigned")).to_contain_text("Kabid BKL")
    shoot(page, tmp_path, "reassigned-task.png")

    task.refresh_from_db()
    assert (task.owner, task.status) == (org["tim2"], STATUS.ASSIGNED)
    assert Reassignment.objects.get().by == org["kabid"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.REASSIGN, actor=org["kabid"], task_id=task.pk).count() == 1
