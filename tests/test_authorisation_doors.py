"""Every URL that names a process, swept for both SOPs (issue 8, point 9/11 "other doors").

The URLs come from the URL resolver (process pages, charts and their BPMN export, every
`berkas/...` download and job status), each filled with the real objects of a finished SOP A
and a finished SOP B process of one organisation:

- the other organisation's officers (every role) and a user without an organisation get 404
  on every one of them, as if the process did not exist;
- inside the organisation, raw DKB extracts and archives go to SOP A's officers only (404 to
  the others); every other URL answers 200 for its own process and 404 when it names another
  SOP's process or another process's object; never a 500.
"""

from django.urls import URLResolver, get_resolver, reverse

from workflows.authored.models import StepAttachment
from workflows.catalogue import is_builtin
from workflows.models import SignedDocument
from workflows.sops.population.models import AggregationRun, BackupRecord, DkbUpload, FinalReport
from workflows.sops.utilization.models import Evidence

from .authorisation import drive_authored, drive_population, drive_utilization
from .conftest import client_for

# What fills each URL's object argument, per URL name: the model and its way to the process.
OBJECTS = {
    ("dkb_download", "upload_pk"): (DkbUpload, "process_id"),
    ("run_status", "job_pk"): (AggregationRun, "upload__process_id"),
    ("final_report_status", "job_pk"): (FinalReport, "process_id"),
    ("tables_download", "run_pk"): (AggregationRun, "upload__process_id"),
    ("draft_report", "run_pk"): (AggregationRun, "upload__process_id"),
    ("signed_document", "document_pk"): (SignedDocument, "process_id"),
    ("backup_download", "backup_pk"): (BackupRecord, "process_id"),
    ("evidence_download", "evidence_pk"): (Evidence, "entry__process_id"),
    ("authored_attachment", "attachment_pk"): (StepAttachment, "record__process_id"),
}
# Only these objects are served: the raw extract is deleted by the backup step (its URL then
# answers 404, as for any other process's object).
SERVED = {"dkb_download": {"purged_at__isnull": True}}
# URLs of one SOP only (the other SOP's process answers 404).
SOP_ONLY = {
    "dkb_download": "A", "run_status": "A", "final_report_status": "A", "tables_download": "A", "draft_report": "A",
    "signed_document": {"A", "B", "authored"}, "backup_download": "A", "utilization_report": "B", "lakip_pdf": "B",
    "evidence_download": "B", "authored_attachment": "authored",
}
FLOW_OF = {"A": "population", "B": "utilization", "authored": "sop"}


def kind(process):
    """A built-in SOP's code, or "authored" for any SOP an organisation wrote."""
    return process.sop if is_builtin(process.sop) else "authored"

# Personal data (raw extracts) and archives: SOP A's officers only.
SOP_A_READERS_ONLY = {"dkb_download", "backup_download"}
SOP_A_READERS = {"kadis", "kabid", "kasi", "tim", "tim2", "adb"}
# Actions, not pages: their own tests cover them (test_authorisation_manage).
ACTIONS = {"process_cancel"}


def process_patterns(resolver=None, namespace=""):
    """(qualified URL name, argument names) of every URL with a process_pk and no task_pk."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from process_patterns(pattern, inner)
            continue
        keys = set(pattern.pattern.regex.groupindex)
        if "process_pk" in keys and "task_pk" not in keys and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.name, keys - {"process_pk"}


def urls_for(process, objects_of):
    """Every process URL named for ``process``; object arguments filled from ``objects_of``
    (the process itself, or another one). Yields (name, url, names its own objects)."""
    for qualified, name, keys in process_patterns():
        if name in ACTIONS:
            continue
        if qualified.split(":")[0] in FLOW_OF.values() and qualified.split(":")[0] != FLOW_OF[kind(process)]:
            # /utilization/<SOP A process>/...: the flow check answers 404.
            own = False
        else:
            only = SOP_ONLY.get(name, kind(process))
            own = kind(process) in (only if isinstance(only, set) else {only})
        kwargs = {"process_pk": process.pk}
        for key in sorted(keys):
            if key == "fmt":
                kwargs[key] = "xlsx"
                continue
            model, path = OBJECTS[name, key]  # a new URL argument must be added to OBJECTS
            obj = model._default_manager.filter(**{path: objects_of.pk}, **SERVED.get(name, {})).order_by("pk").first()
            if objects_of.pk != process.pk:
                own = False
                if obj is None:
                    # The other process has none: any object that is not this process's.
                    obj = model._default_manager.exclude(**{path: process.pk}).order_by("pk").first()
            if obj is None:
                break
            kwargs[key] = obj.pk
        else:
            url = reverse(qualified, kwargs=kwargs)
            yield name, url, own
            if name == "process_chart":
                yield name, url + "?format=bpmn", own


def test_every_process_url_stays_in_its_organisation_role_and_sop(bengkulu, sumbar, outsider, dkb_file):
    sop_a = drive_population(bengkulu, dkb_file)
    sop_b = drive_utilization(bengkulu)
    own_sop = drive_authored(bengkulu)
    probes = [
        *urls_for(sop_a, sop_a), *urls_for(sop_b, sop_b), *urls_for(own_sop, own_sop),
        # Another process's objects under this process's URL, and each SOP's URLs for the other.
        *urls_for(sop_a, sop_b), *urls_for(sop_b, sop_a), *urls_for(own_sop, sop_a), *urls_for(sop_b, own_sop),
    ]
    names = {name for name, _url, _own in probes}
    assert {"process_detail", "process_chart", "dkb_download", "backup_download", "signed_document",
            "evidence_download", "lakip_pdf", "control_sheet_pdf", "authored_attachment"} <= names, names

    strangers = [*sumbar.users.values(), outsider]
    for user in strangers:
        client = client_for(user)
        for name, url, _own in probes:
            assert client.get(url).status_code == 404, (user.username, url)

    opened = 0
    for key in ("kasi", "adb", "staf", "sekretariat"):
        client = client_for(bengkulu[key])
        for name, url, own in probes:
            allowed = own and (name not in SOP_A_READERS_ONLY or key in SOP_A_READERS)
            status = client.get(url).status_code
            assert status == (200 if allowed else 404), (key, url, status)
            opened += status == 200
    assert opened >= 20, opened
