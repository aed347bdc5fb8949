"""Helpers of the authorisation tests: drive each SOP to its end through HTTP, stopping at every
human step with its task claimed by the officer the SOP names; list a node's task URLs; take a
snapshot of everything a request could change."""

from io import StringIO

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import NoReverseMatch, get_resolver, reverse
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from .conftest import FLOW_PREFIX, client_for, do_step, open_task, start_population, start_utilization, task_url
from .test_access import POPULATION_STEPS, UTILIZATION_STEPS


def step_bodies(org, dkb_file, steps):
    """A plausible form body per human node: what its officer posts to complete it."""
    bodies = {}
    for node, _actor, data in steps:
        if data is not None:
            bodies[node] = data(org, dkb_file)
    bodies.setdefault("process_data", {"notes": "Diolah dari DKB."})
    bodies.setdefault("fill_list", {"action": "submit"})
    return bodies


def human_nodes(flow_class):
    return [node for node in flow_class.instance.nodes() if node.task_type == "HUMAN"]


def task_urls(process, node, task):
    """Every task URL viewflow serves for ``node`` (execute, assign, detail, undo...), named
    for ``task``: read from the URL resolver, so a new action is probed without a code change."""
    prefix = FLOW_PREFIX[process.sop]
    _, flow_resolver = get_resolver().namespace_dict[prefix]
    if node.name not in flow_resolver.namespace_dict:
        return []
    _, node_resolver = flow_resolver.namespace_dict[node.name]
    names = sorted(name for name in node_resolver.reverse_dict.keys() if isinstance(name, str))
    kwargs = {"process_pk": process.pk, "task_pk": task.pk}
    urls = []
    for name in names:
        try:
            urls.append((name, reverse(f"{prefix}:{node.name}:{name}", kwargs=kwargs)))
        except NoReverseMatch:
            continue  # not a task URL: the start node's own form (/population/start/)
    return urls


def snapshot(process):
    """What any request could have changed: the process, its tasks, and every row count of the
    app's tables (step outputs, reviews, SLA clocks, audit trail, documents...)."""
    tasks = list(
        Task.objects.filter(process_id=process.pk)
        .order_by("pk")
        .values_list("pk", "status", "owner_id", "finished")
    )
    status = Process.objects.filter(pk=process.pk).values_list("status", "finished").get()
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_app_config("workflows").get_models()}
    return {"process": status, "tasks": tasks, "counts": counts}


def claim(process, task, user):
    if task.status == STATUS.NEW:
        response = client_for(user).post(task_url(process, task, "assign"))
        assert response.status_code == 302, f"{user} could not claim {task.flow_task.name}: {response.status_code}"
        task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner == user, (task.flow_task.name, task.status, task.owner)
    return task


def drive_population(org, dkb_file, visit=None, until=None):
    """SOP A from the Kadis's order to the ADB's backup; ``visit(process, task, owner)`` runs at
    every human step once its officer holds the task. Returns the finished process, or the
    process stopped at step ``until`` (claimed by its officer, not completed)."""
    process = start_population(org["kadis"])
    bodies = step_bodies(org, dkb_file, POPULATION_STEPS)
    for node, actor, _data in POPULATION_STEPS:
        owner = org[actor]
        if node == "approve":
            # The final report is prepared in the background once step 5 approves.
            call_command("run_jobs", "--once", stdout=StringIO())
        task = claim(process, open_task(process, node), owner)
        if visit is not None:
            visit(process, task, owner)
        if node == until:
            return process
        if node == "process_data":
            with open(dkb_file, "rb") as handle:
                response = client_for(owner).post(task_url(process, task, "execute"), {
                    "action": "upload", "upload": handle, "source": "DKB", "cutoff_date": "2025-06-30",
                })
            assert response.status_code == 302, response.status_code
            call_command("run_jobs", "--once", stdout=StringIO())
        do_step(owner, process, node, bodies[node])
    process.refresh_from_db()
    return process


def drive_utilization(org, visit=None):
    """SOP B from the Kabid's order to the Sekretariat's check, like ``drive_population``."""
    from .test_utilization_flow import add_entry, entry, sopb_signers

    sopb_signers(org)  # steps 5 and 6 sign the Kasi's report and the Kabid's LAKIP material
    process = start_utilization(org["kabid"])
    bodies = step_bodies(org, None, UTILIZATION_STEPS)
    for node, actor, _data in UTILIZATION_STEPS:
        owner = org[actor]
        task = claim(process, open_task(process, node), owner)
        if visit is not None:
            visit(process, task, owner)
        if node == "fill_list":
            evidence = SimpleUploadedFile("pks.pdf", b"%PDF-1.4 synthetic evidence", content_type="application/pdf")
            add_entry(owner, process, entry(org.organisation.opds.first(), 3, evidence=evidence))
        do_step(owner, process, node, bodies[node])
    process.refresh_from_db()
    return process


def make_org_admin(org, username=None):
    """The organisation's admin (Officer.is_org_admin): holds no SOP role."""
    from django.contrib.auth import get_user_model

    from workflows.models import Officer

    short = org.organisation.short_name.lower()
    user = get_user_model().objects.create_user(
        username or f"{short}.admin-org", password="pw", first_name="Admin", last_name=org.organisation.short_name
    )
    Officer.objects.create(user=user, organisation=org.organisation, is_org_admin=True)
    return user


def add_officer(org, role, username):
    """One more officer holding ``role`` in ``org`` (a second Kabid, say)."""
    from django.contrib.auth import get_user_model

    from workflows.models import Officer, OfficerRole

    user = get_user_model().objects.create_user(username, password="pw", first_name=username, last_name="Uji")
    officer = Officer.objects.create(user=user, organisation=org.organisation)
    OfficerRole.objects.create(officer=officer, role=role)
    return user


def drive_authored(org):
    """An authored SOP (tests/authored_sop.py) from its start to its last step, with a file."""
    from .authored_sop import add_operator, make_authored_sop
    from .test_authored_flow import act, blank_pdf, start

    operator = add_operator(org, f"{org.organisation.short_name.lower()}.operator")
    definition, _version = make_authored_sop(org, org["kadis"])
    process = start(operator, definition, files=[SimpleUploadedFile("permohonan.pdf", blank_pdf(), "application/pdf")])
    act(org["kasi"], process, {"text": "Siapkan."}, "k2")
    act(operator, process, {"notes": "Siap."}, "k3")
    act(org["kabid"], process, {"decision": "approve"}, "k4")
    from workflows.authored.models import StepAttachment

    from .conftest import SIGNING_PASSPHRASE

    pdf = StepAttachment.objects.filter(record__process=process).first()
    act(org["kadis"], process, {"document": pdf.pk, "passphrase": SIGNING_PASSPHRASE}, "k5")
    act(operator, process, {"record_number": "470/1/2026", "record_date": "2026-12-01"}, "k6")
    process.refresh_from_db()
    return process
