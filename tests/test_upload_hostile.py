"""Every hostile file of tests/test_dkb_hostile.py uploaded at SOP A step 3 over HTTP, as a
browser does: no HTTP 500, the file's own message on the page (at once, or from the worker),
the task still open, and no file left in storage that the database does not know about."""

from io import StringIO

from django.core.management import call_command
from viewflow.workflow.status import STATUS

from workflows.sops.population.models import AggregationRun, DkbUpload

from .conftest import client_for, open_task, start_population, task_url
from .test_dkb_hostile import REFUSED, REFUSED_BY_ENGINE, materialise
from .test_population_flow import form_team


# Refused at upload from the sample alone, before the line could be counted (a full scan of a
# large file is the worker's job): the message is its own, without the line number.
AT_UPLOAD = {"truncated_multibyte_large": ["Berkas terpotong: baris terakhirnya berhenti di tengah"]}


def stored_files(root):
    return (
        sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
        if root.exists()
        else []
    )


def test_every_hostile_file_gets_its_message_over_http_and_leaves_nothing_behind(
    bengkulu, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    org = bengkulu
    process = start_population(org["kadis"])
    form_team(org, process)
    task = open_task(process, "process_data")
    client = client_for(org["tim"])
    if task.status == STATUS.NEW:
        assert client.post(task_url(process, task, "assign")).status_code == 302
    url = task_url(process, task, "execute")

    outcomes = {}
    for case_id, build, fragments in REFUSED + REFUSED_BY_ENGINE:
        directory = tmp_path / "cases" / case_id
        directory.mkdir(parents=True)
        path = materialise(directory, case_id, build)
        with open(path, "rb") as handle:
            response = client.post(
                url, {"action": "upload", "upload": handle, "source": "DKB", "cutoff_date": "2025-06-30"}
            )
        assert response.status_code in (200, 302), (case_id, response.status_code)
        if response.status_code == 200:
            page = response.content.decode()
            outcomes[case_id] = "at upload"
        else:  # accepted at upload (the header looked right): the worker reads it all
            call_command("run_jobs", "--once", stdout=StringIO())
            run = AggregationRun.objects.order_by("-pk").first()
            assert run.status == AggregationRun.FAILED, (case_id, run.message)
            page = client.get(url).content.decode()
            outcomes[case_id] = "by the worker"
        if response.status_code == 200:
            fragments = AT_UPLOAD.get(case_id, fragments)
        for fragment in fragments:
            assert fragment.replace('"', "&quot;") in page or fragment in page, (case_id, fragment)
        assert open_task(process, "process_data").status == STATUS.ASSIGNED

    # Whatever was refused at upload left nothing; what the worker refused is a recorded upload.
    recorded = sorted(str(upload.file) for upload in DkbUpload.objects.all())
    assert stored_files(settings.PRIVATE_STORAGE_DIR) == recorded
    assert stored_files(tmp_path / "upload-tmp") == []
    assert len(outcomes) == len(REFUSED) + len(REFUSED_BY_ENGINE)
    print(
        f"{len(outcomes)} hostile files: {sum(1 for o in outcomes.values() if o == 'at upload')} refused at upload, "
        f"{sum(1 for o in outcomes.values() if o == 'by the worker')} by the worker, 0 HTTP 500"
    )
