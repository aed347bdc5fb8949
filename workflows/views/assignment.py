"""The pages of reassignment, delegation, out-of-office and the supervisor's view of who holds what.

Thin: each reads the request and calls ``workflows.assignment``, which checks and applies
under the flow's lock. A task of another organisation, and another organisation's page, answer
404, as if they did not exist.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from viewflow.urls import Application
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from .. import assignment, sla
from ..catalogue import step_of_task
from ..models import ActingAppointment, AuditEvent, OutOfOffice, Reassignment, SopProcess
from ..models.acting import local_day
from ..permissions import SUPERVISE
from .dashboard import is_officer


def _label(user):
    position = ", ".join(str(holding) for holding in user.officer.roles.all())
    name = user.get_full_name() or user.username
    return f"{name} ({position})" if position else name


class TransferForm(forms.Form):
    # Any active user may be posted: the refusal then says why (another organisation, not
    # entitled) instead of a bare "invalid choice"; the list offers only the entitled ones.
    target = forms.ModelChoiceField(
        label=gettext_lazy("Alihkan kepada"),
        queryset=get_user_model().objects.filter(is_active=True),
        error_messages={
            "required": gettext_lazy("Pilih pegawai tujuan."),
            "invalid_choice": gettext_lazy("Pegawai tujuan tidak ditemukan."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Alasan"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
        error_messages={"required": gettext_lazy("Tuliskan alasan pengalihan; alasan wajib diisi.")},
    )

    # The holder the page showed (empty: the queue), so a change made since is not overridden.
    holder = forms.CharField(required=False, widget=forms.HiddenInput)

    def seen_owner_id(self):
        if "holder" not in self.data:
            return assignment.ANY_HOLDER
        value = self.cleaned_data.get("holder") or ""
        return int(value) if value.isdigit() else None

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].widget.choices = [("", "---------")] + [(user.pk, _label(user)) for user in officers]


def organisation_task(request, task_pk):
    """The task ``task_pk`` and its process, only inside the user's organisation (else 404)."""
    officer = getattr(request.user, "officer", None)
    task = Task.objects.filter(pk=task_pk, flow_task_type="HUMAN").select_related("owner").first()
    if officer is None or task is None:
        raise Http404
    process = SopProcess.objects.filter(pk=task.process_id, organisation_id=officer.organisation_id).first()
    if process is None:
        raise Http404
    return task, process.coerced


class TransferView(View):
    """A supervisor's reassignment (``kind`` REASSIGN) or the holder's delegation (DELEGATE)."""

    kind = Reassignment.Kind.REASSIGN
    template_name = "workflows/assignment/transfer.html"

    def dispatch(self, request, task_pk):
        self.task, self.process = organisation_task(request, task_pk)
        return super().dispatch(request, task_pk)

    def refusal(self):
        """(status, message) when this user may not do it to this task at all, else None."""
        message = assignment.task_refusal(self.task)
        if message:
            return 409, message
        if self.kind == Reassignment.Kind.DELEGATE:
            if self.task.owner_id != self.request.user.pk:
                return 403, _("Ini bukan tugas Anda: hanya pemegang tugas yang dapat mendelegasikannya.")
        elif not assignment.supervises(self.request.user, self.task, self.process):
            return 403, _("Anda bukan atasan pelaksana langkah ini dan bukan administrator organisasi, sehingga "
                          "tidak dapat mengalihkan tugas ini.")
        return None

    def officers(self):
        candidates = assignment.entitled_officers(self.task, self.process)
        if self.kind == Reassignment.Kind.DELEGATE:
            candidates = [
                user for user in candidates
                if assignment.delegation_refusal(self.request.user, user, self.task, self.process) is None
            ]
        return candidates

    def render_page(self, form, status=200, error=None):
        step = step_of_task(self.task, self.process)
        row = getattr(self.task, "sla", None)
        return render(self.request, self.template_name, {
            "form": form, "task": self.task, "process": self.process, "step": step, "kind": self.kind,
            "error": error, "due": sla.format_moment(row.due, self.process.organisation.timezone) if row else "—",
            "process_url": self.process.flow_class.instance.reverse("process_detail", args=[self.process.pk]),
        }, status=status)

    def refused_page(self, status, message):
        return render(self.request, "workflows/action_refused.html", {
            "message": message,
            "process_url": self.process.flow_class.instance.reverse("process_detail", args=[self.process.pk]),
        }, status=status)

    def get(self, request, task_pk):
        refused = self.refusal()
        if refused:
            return self.refused_page(*refused)
        return self.render_page(TransferForm(officers=self.officers(), initial={"holder": self.task.owner_id or ""}))

    def post(self, request, task_pk):
        refused = self.refusal()
        if refused:
            assignment.record_refusal(request.user, self.task.pk, refused[1])
            return self.refused_page(*refused)
        form = TransferForm(request.POST, officers=self.officers())
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            change = assignment.transfer(
                self.task.pk, request.user, form.cleaned_data["target"], form.cleaned_data["reason"], self.kind,
                form.seen_owner_id(),
            )
        except assignment.AssignmentRefused as refused:
            assignment.record_refusal(request.user, self.task.pk, refused.message)
            return self.render_page(form, status=409, error=refused.message)
        messages.success(request, _("Tugas #%(pk)s dialihkan kepada %(name)s.") % {
            "pk": self.task.pk, "name": change.to_user.get_full_name() or change.to_user.username,
        })
        return HttpResponseRedirect(self.process.flow_class.instance.reverse("process_detail", args=[self.process.pk]))


class DelegateView(TransferView):
    kind = Reassignment.Kind.DELEGATE


def may_oversee(user, organisation_id):
    officer = getattr(user, "officer", None)
    return officer is not None and officer.organisation_id == organisation_id and (
        officer.is_org_admin or user.has_perm(SUPERVISE)
    )


class SupervisorView(View):
    """Who holds what in one organisation: open tasks per officer and per position (queue),
    acting appointments now and upcoming, out-of-office periods; bulk reassignment."""

    template_name = "workflows/assignment/supervisor.html"

    def dispatch(self, request, org_pk=None):
        officer = getattr(request.user, "officer", None)
        if officer is None:
            raise Http404
        if org_pk is None:
            if may_oversee(request.user, officer.organisation_id):
                return HttpResponseRedirect(reverse("penugasan:organisation", args=[officer.organisation_id]))
            return HttpResponseRedirect(reverse("penugasan:out_of_office"))
        if org_pk != officer.organisation_id:
            raise Http404
        if not may_oversee(request.user, org_pk):
            raise PermissionDenied(_("Halaman ini untuk atasan dan administrator organisasi."))
        self.organisation = officer.organisation
        return super().dispatch(request, org_pk)

    def context(self, form, error=None):
        organisation, now = self.organisation, timezone.now()
        day = local_day(organisation)
        tasks = (
            Task.objects.filter(
                flow_task_type="HUMAN", status__in=assignment.OPEN, process__sopprocess__organisation=organisation
            )
            .select_related("owner", "sla", "process__sopprocess")
            .order_by("sla__due", "pk")
        )
        officers, positions = {}, {}
        for task in tasks:
            process = task.process.sopprocess.coerced
            row = getattr(task, "sla", None)
            status = row.status(now) if row else None
            position = assignment.task_position(task, process)
            entry = {
                "task": task, "process": process, "step": step_of_task(task, process), "position": position,
                "due": sla.format_moment(row.due, organisation.timezone) if row else "—", "badge": sla.badge(status),
                "overdue": status == sla.SlaStatus.OVERDUE,
                "url": process.flow_class.instance.reverse("process_detail", args=[process.pk]),
            }
            if task.owner_id:
                group = officers.setdefault(task.owner_id, {"user": task.owner, "rows": [], "overdue": 0})
            else:
                key = position.pk if position else 0
                group = positions.setdefault(key, {"position": position, "rows": [], "overdue": 0})
            group["rows"].append(entry)
            group["overdue"] += entry["overdue"]
        users = (
            get_user_model().objects.filter(is_active=True, officer__organisation=organisation)
            .prefetch_related("officer__roles__position").order_by("first_name", "last_name", "username")
        )
        return {
            "organisation": organisation, "form": form, "error": error,
            "officers": sorted(officers.values(), key=lambda g: g["user"].get_full_name() or g["user"].username),
            "positions": sorted(positions.values(), key=lambda g: g["position"].name if g["position"] else ""),
            "acting": ActingAppointment.objects.valid().filter(organisation=organisation, end_date__gte=day)
            .select_related("position", "officer__user").order_by("start_date"),
            "acting_today": day,
            "absences": OutOfOffice.objects.current_and_upcoming(day).filter(officer__organisation=organisation)
            .select_related("officer__user").order_by("start_date"),
            "targets": [(user.pk, _label(user)) for user in users],
            "selected": {int(pk) for pk in self.request.POST.getlist("tasks") if pk.isdigit()},
        }

    def get(self, request, org_pk=None):
        return render(request, self.template_name, self.context(TransferForm()))

    def post(self, request, org_pk=None):
        form = TransferForm(request.POST)
        pks = [int(pk) for pk in request.POST.getlist("tasks") if pk.isdigit()]
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        if not pks:
            return render(request, self.template_name, self.context(form, _("Pilih sedikitnya satu tugas.")), status=400)
        # Only this organisation's tasks can be addressed; another's pk is as if it did not exist.
        scoped = list(Task.objects.filter(pk__in=pks, process__sopprocess__organisation=self.organisation)
                      .values_list("pk", flat=True))
        if len(scoped) != len(set(pks)):
            raise Http404
        try:
            seen = {}
            for pk in scoped:
                value = request.POST.get(f"holder-{pk}")
                if value is not None:
                    seen[pk] = int(value) if value.isdigit() else None
            changes = assignment.transfer_many(scoped, request.user, form.cleaned_data["target"],
                                               form.cleaned_data["reason"], seen)
        except assignment.AssignmentRefused as refused:
            for pk in scoped:
                assignment.record_refusal(request.user, pk, refused.message)
            return render(request, self.template_name, self.context(form, refused.message), status=409)
        target = form.cleaned_data["target"]
        messages.success(request, _("%(count)s tugas dialihkan kepada %(name)s.") % {
            "count": len(changes), "name": target.get_full_name() or target.username,
        })
        return HttpResponseRedirect(request.path)


class OutOfOfficeForm(forms.ModelForm):
    class Meta:
        model = OutOfOffice
        fields = ["start_date", "end_date", "note", "target"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}), "end_date": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "start_date": {"required": gettext_lazy("Isi tanggal mulai."), "invalid": gettext_lazy("Tanggal tidak terbaca.")},
            "end_date": {"required": gettext_lazy("Isi tanggal selesai."), "invalid": gettext_lazy("Tanggal tidak terbaca.")},
            "note": {"required": gettext_lazy("Isi keterangan, mis. cuti tahunan.")},
        }


class OutOfOfficeView(View):
    """An officer's own out-of-office periods: record one, or remove one not yet ended."""

    template_name = "workflows/assignment/out_of_office.html"

    def dispatch(self, request):
        self.officer = getattr(request.user, "officer", None)
        if self.officer is None:
            raise Http404
        return super().dispatch(request)

    def page(self, form, status=200):
        day = local_day(self.officer.organisation)
        return render(self.request, self.template_name, {
            "form": form, "periods": self.officer.absences.order_by("-start_date"), "today": day,
        }, status=status)

    def get(self, request):
        return self.page(OutOfOfficeForm())

    def post(self, request):
        if "remove" in request.POST:
            period = self.officer.absences.filter(pk=request.POST.get("remove")).first()
            if period is None:
                raise Http404
            detail = _("Menghapus: %(period)s") % {"period": period}
            period.delete()
            AuditEvent.record(AuditEvent.Action.OUT_OF_OFFICE, request.user, detail=detail)
            messages.success(request, _("Masa tidak di kantor dihapus."))
            return HttpResponseRedirect(request.path)
        form = OutOfOfficeForm(request.POST, instance=OutOfOffice(officer=self.officer))
        if not form.is_valid():
            return self.page(form, status=400)
        period = form.save()
        AuditEvent.record(AuditEvent.Action.OUT_OF_OFFICE, request.user, detail=_("%(period)s; tugas baru %(target)s.") % {
            "period": period, "target": period.get_target_display(),
        })
        messages.success(request, _("Masa tidak di kantor dicatat."))
        return HttpResponseRedirect(request.path)


def assignment_applications():
    """The menu entry "Penugasan": the supervisor's view, the transfer pages, out-of-office."""
    return [
        Application(
            title=gettext_lazy("Penugasan"),
            icon="swap_horiz",
            app_name="penugasan",
            permission=is_officer,
            menu_template_name=None,
            urlpatterns=[
                path("", SupervisorView.as_view(), name="index"),
                path("organisasi/<int:org_pk>/", SupervisorView.as_view(), name="organisation"),
                path("tugas/<int:task_pk>/alihkan/", TransferView.as_view(), name="reassign"),
                path("tugas/<int:task_pk>/delegasikan/", DelegateView.as_view(), name="delegate"),
                path("tidak-di-kantor/", OutOfOfficeView.as_view(), name="out_of_office"),
            ],
        ),
    ]
