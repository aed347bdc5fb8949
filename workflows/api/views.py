"""The API's endpoints. Every queryset is the one the pages use, scoped to the caller's
organisation: another organisation's SOP, process or task answers 404 as if it did not exist."""

from zoneinfo import ZoneInfo

from django.db.models import F, Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse as api_reverse
from rest_framework.views import APIView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .. import sla
from ..catalogue import SOPS, flow_classes, package_of, step_of_task
from ..models import SlaStatus, SopProcess, TaskSla
from ..views.base import process_history
from ..views.lists import organisation_tasks
from . import actions
from . import serializers as out

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
ERRORS = {status: out.ErrorSerializer for status in (400, 401, 403, 404, 409, 429)}


def organisation_of(user):
    officer = getattr(user, "officer", None)
    return officer.organisation if officer is not None else None


def absolute(request, name, **kwargs):
    return api_reverse(name, kwargs=kwargs or None, request=request)


def sla_status(row, now):
    if row is None:
        return None
    status = SlaStatus(row.status(now))
    return {"code": status.value, "label": str(status.label)}


def person(user):
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


# -- SOPs ------------------------------------------------------------------------------------


def authored_definitions(user):
    from ..authored.models import SopDefinition

    organisation = organisation_of(user)
    if organisation is None:
        return SopDefinition.objects.none()
    return SopDefinition.objects.for_organisation(organisation)


def published_versions(definition):
    from ..authored.models import SopVersion

    return definition.versions.filter(status=SopVersion.PUBLISHED).order_by("number")


def identity_payload(sop, organisation):
    identity = sop.identity
    nomor = organisation.sop_nomor(sop) if organisation is not None else identity.nomor
    return {
        "instansi": identity.instansi or (organisation.name if organisation else ""),
        "unit": identity.unit, "nomor": nomor, "tanggal_pembuatan": identity.tanggal_pembuatan,
        "tanggal_revisi": identity.tanggal_revisi, "tanggal_efektif": identity.tanggal_efektif,
        "disahkan_oleh": identity.disahkan_oleh, "nama": identity.nama,
        "dasar_hukum": list(identity.dasar_hukum), "kualifikasi_pelaksana": list(identity.kualifikasi_pelaksana),
        "keterkaitan": list(identity.keterkaitan), "peralatan": list(identity.peralatan),
        "peringatan": identity.peringatan, "pencatatan": identity.pencatatan,
    }


def steps_payload(sop, organisation):
    # The Waktu in force in the organisation (an admin's override of a built-in step included).
    waktu = sla.waktu_table(organisation.pk, sop) if organisation is not None else {}
    rows = []
    for step in sop.steps:
        amount, unit = waktu.get(step.number, (step.waktu_amount, step.waktu_unit))
        rows.append({
            "number": step.number, "key": step.node, "title": step.title, "kegiatan": step.kegiatan,
            "pelaksana": step.actor_label, "pelaksana_code": step.actor, "kelengkapan": step.kelengkapan,
            "waktu_amount": amount, "waktu_unit": unit, "waktu_label": sla.waktu_label(amount, unit),
            "output": step.output, "kind": step.kind, "return_to": step.return_to, "keterangan": step.keterangan,
        })
    return rows


def builtin_payload(request, sop, organisation):
    return {
        "key": sop.code, "code": sop.short_code, "name": sop.name,
        "nomor": organisation.sop_nomor(sop) if organisation else sop.identity.nomor,
        "builtin": True, "retired": False, "latest_version": 1,
        "versions": [{"number": 1, "published_at": None,
                      "url": absolute(request, "api:sop-version", key=sop.code, number=1)}],
        "url": absolute(request, "api:sop-detail", key=sop.code),
    }


def authored_payload(request, definition):
    versions = list(published_versions(definition))
    return {
        "key": definition.key, "code": definition.code,
        "name": versions[-1].nama if versions else definition.code, "nomor": definition.nomor,
        "builtin": False, "retired": definition.is_retired,
        "latest_version": versions[-1].number if versions else None,
        "versions": [{"number": version.number, "published_at": version.published_at,
                      "url": absolute(request, "api:sop-version", key=definition.key, number=version.number)}
                     for version in versions],
        "url": absolute(request, "api:sop-detail", key=definition.key),
    }


def find_definition(user, key):
    from ..authored.models import SopDefinition

    definition = SopDefinition.objects.from_key(key)
    if definition is None or not authored_definitions(user).filter(pk=definition.pk).exists():
        raise Http404
    if not published_versions(definition).exists():
        raise Http404  # a draft is the SOP administrators' business, not the API's
    return definition


class SopListView(APIView):
    @extend_schema(operation_id="sops_list", summary="SOP yang dapat dijalankan", responses={200: out.SopSerializer(many=True), **ERRORS})
    def get(self, request):
        organisation = organisation_of(request.user)
        rows = [builtin_payload(request, sop, organisation) for sop in SOPS.values()]
        for definition in authored_definitions(request.user).order_by("code"):
            if published_versions(definition).exists():
                rows.append(authored_payload(request, definition))
        return Response(out.SopSerializer(rows, many=True).data)


class SopDetailView(APIView):
    @extend_schema(operation_id="sops_retrieve", summary="Satu SOP dan versinya yang terbit", responses={200: out.SopSerializer, **ERRORS})
    def get(self, request, key):
        if key in SOPS:
            return Response(out.SopSerializer(builtin_payload(request, SOPS[key], organisation_of(request.user))).data)
        return Response(out.SopSerializer(authored_payload(request, find_definition(request.user, key))).data)


class SopVersionView(APIView):
    @extend_schema(
        operation_id="sops_version_retrieve", summary="Identitas (Permenpan RB 35/2012) dan langkah satu versi SOP yang terbit",
        responses={200: out.VersionSerializer, **ERRORS},
    )
    def get(self, request, key, number):
        organisation = organisation_of(request.user)
        if key in SOPS:
            if number != 1:
                raise Http404
            sop, published_at = SOPS[key], None
        else:
            version = published_versions(find_definition(request.user, key)).filter(number=number).first()
            if version is None:
                raise Http404
            sop, published_at = version.as_sop(), version.published_at
        payload = {"sop": key, "number": number, "published_at": published_at,
                   "identity": identity_payload(sop, organisation), "steps": steps_payload(sop, organisation)}
        return Response(out.VersionSerializer(payload).data)


# -- processes ---------------------------------------------------------------------------------


def web_process_url(request, process):
    prefix = package_of(process.sop).url_prefix
    return request.build_absolute_uri(reverse(f"{prefix}:process_detail", kwargs={"process_pk": process.pk}))


def open_tasks(process):
    return [task for task in process.task_set.all() if task.status in OPEN and task.flow_task_type == "HUMAN"]


def process_payload(request, process, now):
    tz = process.organisation.timezone
    current = []
    for task in sorted(open_tasks(process), key=lambda item: item.pk):
        row = getattr(task, "sla", None)  # tasks from before deadlines existed have none
        step = step_of_task(task, process)
        current.append({
            "task": task.pk, "step_number": step.number if step else None,
            "title": step.title if step else str(task.flow_task.task_title), "status": task.status,
            "owner": person(task.owner), "due": row.due if row else None,
            "due_label": sla.format_moment(row.due if row else None, tz), "sla_status": sla_status(row, now),
        })
    first = min((item for item in current if item["due"]), key=lambda item: item["due"], default=None)
    totals = getattr(process, "sla", None)
    return {
        "id": process.pk, "sop": process.sop, "sop_name": process.catalogue.name, "brief": process.brief,
        "case_label": str(process.case_label), "year": process.year, "period_type": process.period_type,
        "period_number": process.period_number, "status": process.status,
        "status_label": str(process.get_status_display()), "created": process.created,
        "finished": process.finished, "current_steps": current,
        "due": first["due"] if first else None, "due_label": first["due_label"] if first else "—",
        "sla_status": first["sla_status"] if first else None,
        "standard_seconds": totals.standard_seconds if totals else None,
        "elapsed_seconds": totals.elapsed_seconds if totals else None,
        "web_url": web_process_url(request, process),
        "audit_url": absolute(request, "api:process-audit", pk=process.pk),
    }


def processes_for(user):
    tasks = Task.objects.select_related("owner", "sla").order_by("pk")
    return (
        SopProcess.objects.for_user(user)
        .select_related("organisation", "sla")
        .prefetch_related(Prefetch("task_set", queryset=tasks))
    )


def get_process(user, pk):
    process = processes_for(user).filter(pk=pk).first()
    if process is None:
        raise Http404
    return process


class ProcessListView(APIView):
    @extend_schema(
        operation_id="processes_list", summary="Proses SOP organisasi Anda",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, description="NEW, DONE, CANCELED"),
            OpenApiParameter("sop", OpenApiTypes.STR, description="A, B, or u<id>"),
            OpenApiParameter("year", OpenApiTypes.INT),
        ],
        responses={200: inline_serializer("PaginatedProcesses", {
            "count": drf_serializers.IntegerField(), "next": drf_serializers.CharField(allow_null=True),
            "previous": drf_serializers.CharField(allow_null=True), "results": out.ProcessSerializer(many=True),
        }), **ERRORS},
    )
    def get(self, request):
        processes = processes_for(request.user).order_by("-pk")
        for name in ("status", "sop", "year"):
            value = request.query_params.get(name)
            if value:
                if name == "year" and not value.isdigit():
                    raise exceptions.ValidationError({"year": [_("Tahun harus berupa angka, mis. 2025.")]})
                processes = processes.filter(**{name: value})
        page = self.paginator.paginate_queryset(processes, request, view=self)
        now = timezone.now()
        rows = [process_payload(request, process, now) for process in page]
        return self.paginator.get_paginated_response(out.ProcessSerializer(rows, many=True).data)

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            from rest_framework.pagination import LimitOffsetPagination

            self._paginator = LimitOffsetPagination()  # limit/offset; PAGE_SIZE rows by default
        return self._paginator


class ProcessDetailView(APIView):
    @extend_schema(operation_id="processes_retrieve", summary="Satu proses: status, langkah berjalan, batas waktu, status waktu",
                   responses={200: out.ProcessSerializer, **ERRORS})
    def get(self, request, pk):
        return Response(out.ProcessSerializer(process_payload(request, get_process(request.user, pk), timezone.now())).data)


class ProcessAuditView(APIView):
    @extend_schema(operation_id="processes_audit_list", summary="Jejak audit satu proses", responses={200: out.AuditEventSerializer(many=True), **ERRORS})
    def get(self, request, pk):
        process = get_process(request.user, pk)
        tz = process.organisation.timezone
        rows = [{
            "created": event.created, "created_label": sla.format_moment(event.created, tz),
            "action": event.action, "action_label": str(event.get_action_display()), "actor": person(event.actor),
            "acting_as": event.acting_label, "step_number": event.step_number, "task": event.task_id,
            "detail": event.detail,
        } for event in process_history(process)]
        return Response(out.AuditEventSerializer(rows, many=True).data)


# -- tasks -------------------------------------------------------------------------------------


def inbox(user):
    return organisation_tasks(Task.objects.inbox(flow_classes(), user), user)


def queue(user):
    return organisation_tasks(Task.objects.queue(flow_classes(), user), user)


def organisation_human_tasks(user):
    return organisation_tasks(Task.objects.filter(flow_task_type="HUMAN"), user)


def get_task(user, pk):
    task = organisation_human_tasks(user).filter(pk=pk).select_related("owner").first()
    if task is None:
        raise Http404
    return task


def task_payload(request, task, now, listed=None):
    process = task.process.coerced
    step = step_of_task(task, process)
    try:
        row = task.sla
    except TaskSla.DoesNotExist:
        row = None
    tz = process.organisation.timezone
    web_url = None
    if task.status in (STATUS.NEW, STATUS.ASSIGNED):
        action = "assign" if task.status == STATUS.NEW else "execute"
        prefix = package_of(process.sop).url_prefix
        web_url = request.build_absolute_uri(reverse(
            f"{prefix}:{task.flow_task.name}:{action}", kwargs={"process_pk": process.pk, "task_pk": task.pk}))
    return {
        "id": task.pk, "list": listed, "process": process.pk, "process_brief": process.brief, "sop": process.sop,
        "step_number": step.number if step else None, "step_kind": step.kind if step else "",
        "title": step.title if step else str(task.flow_task.task_title), "status": task.status,
        "owner": person(task.owner), "created": task.created, "finished": task.finished,
        "due": row.due if row else None, "due_label": sla.format_moment(row.due if row else None, tz),
        "sla_status": sla_status(row, now), "web_url": web_url,
        "claim_url": absolute(request, "api:task-claim", pk=task.pk),
        "complete_url": absolute(request, "api:task-complete", pk=task.pk),
    }


def ordered(queryset):
    # As the inbox and queue pages: the most urgent (earliest due) first.
    return queryset.select_related("owner", "sla").order_by(F("sla__due").asc(nulls_last=True), "-created")


class TaskListView(APIView):
    @extend_schema(
        operation_id="tasks_list", summary="Tugas Anda: kotak masuk (yang Anda pegang) dan antrean (yang boleh Anda ambil)",
        parameters=[OpenApiParameter("list", OpenApiTypes.STR, enum=["inbox", "queue"],
                                     description="Only the inbox or only the queue; both when absent.")],
        responses={200: out.TaskSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        wanted = request.query_params.get("list", "")
        if wanted not in ("", "inbox", "queue"):
            raise exceptions.ValidationError({"list": [_("Pilih inbox atau queue.")]})
        now = timezone.now()
        rows = []
        if wanted in ("", "inbox"):
            rows += [task_payload(request, task, now, "inbox") for task in ordered(inbox(request.user))]
        if wanted in ("", "queue"):
            rows += [task_payload(request, task, now, "queue") for task in ordered(queue(request.user))]
        return Response(out.TaskSerializer(rows, many=True).data)


def listed_in(user, task):
    if inbox(user).filter(pk=task.pk).exists():
        return "inbox"
    if queue(user).filter(pk=task.pk).exists():
        return "queue"
    return None


class TaskDetailView(APIView):
    @extend_schema(operation_id="tasks_retrieve", summary="Satu tugas, dengan isian langkahnya", responses={200: out.TaskDetailSerializer, **ERRORS})
    def get(self, request, pk):
        task = get_task(request.user, pk)
        listed = listed_in(request.user, task)
        payload = task_payload(request, task, timezone.now(), listed)
        payload["form"] = actions.describe_form(task, request.user) if listed else None
        return Response(out.TaskDetailSerializer(payload).data)


def action_result(request, task, message):
    task = get_task(request.user, task.pk)
    now = timezone.now()
    process = get_process(request.user, task.process_id)
    return Response(out.ActionResultSerializer({
        "detail": message, "task": task_payload(request, task, now, listed_in(request.user, task)),
        "process": process_payload(request, process, now),
    }).data)


class TaskClaimView(APIView):
    @extend_schema(operation_id="tasks_claim", summary="Mengambil tugas dari antrean", request=None,
                   responses={200: out.ActionResultSerializer, **ERRORS})
    def post(self, request, pk):
        task = actions.claim(get_task(request.user, pk), request.user)
        step = step_of_task(task, task.process.coerced)
        title = step.title if step else str(task.flow_task.task_title)
        return action_result(request, task, _("Tugas %(title)s sudah Anda ambil.") % {"title": title})


class TaskCompleteView(APIView):
    @extend_schema(
        operation_id="tasks_complete", summary="Menyelesaikan langkah perintah atau pemeriksaan (tanpa berkas atau tanda tangan)",
        request=out.CompleteRequestSerializer, responses={200: out.ActionResultSerializer, **ERRORS},
    )
    def post(self, request, pk):
        data = request.data if isinstance(request.data, dict) else None
        if data is None:
            raise exceptions.ValidationError({"non_field_errors": [_("Kirim isian langkah sebagai objek JSON.")]})
        task = get_task(request.user, pk)
        message = actions.complete(task, request, data)
        return action_result(request, task, message)


# -- SLA figures ---------------------------------------------------------------------------------


class SlaFiguresView(APIView):
    @extend_schema(
        operation_id="sla_retrieve", summary="Angka kinerja waktu (dasbor Kinerja Waktu)",
        parameters=[
            OpenApiParameter("organisation", OpenApiTypes.INT, description="administrators without an organisation"),
            OpenApiParameter("sop", OpenApiTypes.STR), OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter("period", OpenApiTypes.STR, description="e.g. semester-1, triwulan-3, tahun-1"),
            OpenApiParameter("date_from", OpenApiTypes.DATE), OpenApiParameter("date_to", OpenApiTypes.DATE),
        ],
        responses={200: out.SlaFiguresSerializer, **ERRORS},
    )
    def get(self, request):
        from ..views.dashboard import DashboardFilterForm, SlaDashboardView, _step_title, can_supervise

        if not can_supervise(request.user):
            raise exceptions.PermissionDenied(_("Angka kinerja waktu hanya untuk atasan dan administrator."))
        dashboard = SlaDashboardView()
        dashboard.request = request._request
        dashboard.request.user = request.user
        dashboard.sops = {}
        organisation = dashboard.organisation()
        if organisation is None:
            raise Http404
        years = SopProcess.objects.filter(organisation=organisation).values_list("year", flat=True).distinct()
        form = DashboardFilterForm(
            request.query_params or None, years=list(years), with_organisation=not hasattr(request.user, "officer"),
            organisation=organisation,
        )
        if form.is_bound and not form.is_valid():
            raise exceptions.ValidationError(form.errors.get_json_data())
        filters = form.cleaned_data if form.is_bound else {}
        tz = ZoneInfo(organisation.timezone)
        now = timezone.now()
        tasks = dashboard.filtered(TaskSla.objects.measured().filter(organisation=organisation), filters, tz, organisation)
        steps = dashboard.step_context(tasks, now, organisation)
        officers = dashboard.officer_context(tasks, now)["officers"]
        trend = dashboard.trend_context(tasks, tz)["trend"]
        overdue = tasks.overdue_open(now).select_related("task__owner")[:50]
        payload = {
            "organisation": organisation.name,
            "summary": steps["summary"],
            "steps": [{
                **{key: row[key] for key in ("sop", "step_number", "title", "waktu", "tasks", "finished_count",
                                             "timed_count", "on_time_count", "on_time_percent", "open_count",
                                             "overdue_open", "returns", "median_label", "p90_label")},
                "standard_seconds": row["standard_now"], "median_seconds": row["median"], "p90_seconds": row["p90"],
                "median_over_standard": bool(row["median_over"]),
            } for row in steps["step_rows"]],
            "officers": [{key: person_row[key] for key in ("name", "finished", "on_time", "on_time_percent", "open",
                                                           "overdue")} for person_row in officers],
            "trend": [{"label": label, "year": row["year"], "quarter": row["quarter"],
                       "finished_count": row["finished_count"], "on_time_percent": value}
                      for label, value, row in trend],
            "overdue": [{"task": row.task_id, "process": row.process_id,
                         "title": _step_title(row.sop, row.step_number, dashboard.sops), "due": row.due,
                         "due_label": sla.format_moment(row.due, organisation.timezone),
                         "owner": person(row.task.owner)} for row in overdue],
        }
        return Response(out.SlaFiguresSerializer(payload).data)


class ApiRootView(APIView):
    @extend_schema(operation_id="root", summary="Daftar alamat API", responses={200: inline_serializer(
        "ApiRoot", {name: drf_serializers.CharField() for name in ("sops", "processes", "tasks", "sla", "schema", "docs")})})
    def get(self, request):
        return Response({
            "sops": absolute(request, "api:sop-list"), "processes": absolute(request, "api:process-list"),
            "tasks": absolute(request, "api:task-list"), "sla": absolute(request, "api:sla"),
            "schema": absolute(request, "api:schema"), "docs": absolute(request, "api:docs"),
        })
