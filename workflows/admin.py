from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.fields import get_flow_ref
from viewflow.workflow.models import Process, Task

from .authored.models import SopDefinition, SopVersion
from .catalogue import PACKAGES
from .models import (
    ActingAppointment,
    OutOfOffice,
    Reassignment,
    AlternativeSchedule,
    AuditEvent,
    HolidayOverride,
    MonitoringRule,
    Notification,
    Officer,
    OfficerRole,
    Organisation,
    OrganisationSopNumber,
    Position,
    SigningIdentity,
    SopSchedule,
    WaktuOverride,
)


# Column headers and filter titles come from a field's verbose name, or from the attribute's
# name when it has none ("DISPLAY NAME", "ACTOR", "Berdasarkan action"): every column and filter
# an administrator sees is named here in Indonesian.


def titled(filter_class, title):
    """``filter_class`` (a field list filter) with an Indonesian title."""
    return type(f"Titled{filter_class.__name__}", (filter_class,), {"title": title, "__init__": _titled_init})


def _titled_init(self, field, request, params, model, model_admin, field_path):
    super(type(self), self).__init__(field, request, params, model, model_admin, field_path)
    self.title = type(self).title


ORGANISATION_FILTER = ("organisation", titled(admin.RelatedFieldListFilter, _("organisasi")))


class OfficerInline(admin.TabularInline):
    model = Officer
    extra = 0
    fields = ["user", "nip", "position"]
    autocomplete_fields = ["user"]
    show_change_link = True


class PositionInline(admin.TabularInline):
    model = Position
    extra = 1
    fields = ["name", "code", "role", "parent", "is_active"]
    readonly_fields = ["role"]
    prepopulated_fields = {"code": ["name"]}
    verbose_name = _("jabatan")
    verbose_name_plural = _("jabatan (tujuh jabatan bawaan dibuat otomatis; tambahkan jabatan organisasi ini)")

    def get_formset(self, request, obj=None, **kwargs):
        self._organisation = obj
        return super().get_formset(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None):
        # The built-in positions are created when the organisation is saved; its own come after,
        # so a name is checked against them.
        return obj is not None and super().has_add_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Position.objects.filter(organisation=getattr(self, "_organisation", None))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record SOPFlow writes itself (the audit trail, reassignments): listed, never added,
    changed or deleted in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "province_code", "timezone"]
    search_fields = ["name", "short_name"]
    inlines = [PositionInline, OfficerInline]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "organisation", "role", "parent", "is_active"]
    list_filter = [ORGANISATION_FILTER, "is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    fields = ["organisation", "name", "code", "role", "parent", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        # A built-in position keeps its role and code: the SOPs' steps and the permissions name them.
        if obj is not None and obj.role:
            return ["organisation", "code", "role", "is_active"]
        return ["role"]


class OfficerRoleInline(admin.TabularInline):
    model = OfficerRole
    extra = 1
    fields = ["position", "role"]
    readonly_fields = ["role"]

    def get_formset(self, request, obj=None, **kwargs):
        self._officer = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        officer = getattr(self, "_officer", None)
        if db_field.name == "position":
            positions = Position.objects.filter(is_active=True).select_related("organisation")
            if officer is not None:
                positions = positions.filter(organisation_id=officer.organisation_id)
            kwargs["queryset"] = positions
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "roles_list", "position", "privileges"]
    list_filter = ["organisation", "roles__role", "roles__position", "is_org_admin", "is_sop_admin"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "nip"]
    autocomplete_fields = ["user"]
    inlines = [OfficerRoleInline]

    @admin.display(description=_("nama"), ordering="user__first_name")
    def name(self, officer):
        return officer.display_name

    @admin.display(description=_("jabatan"))
    def roles_list(self, officer):
        return ", ".join(str(role) for role in officer.roles.all())

    @admin.display(description=_("hak khusus"))
    def privileges(self, officer):
        # In words: a boolean column's icons read "True"/"False" to screen readers.
        held = [Officer._meta.get_field(name).verbose_name for name in ("is_org_admin", "is_sop_admin")
                if getattr(officer, name)]
        return ", ".join(str(label) for label in held) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "organisation").prefetch_related("roles__position")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["moment", "actor_name", "action_label", "process_label", "step", "detail_text"]
    list_filter = [("action", titled(admin.ChoicesFieldListFilter, _("tindakan")))]
    date_hierarchy = "created"
    list_select_related = ["actor", "process"]

    @admin.display(description=_("waktu"), ordering="created")
    def moment(self, event):
        return event.created

    @admin.display(description=_("pelaku"), ordering="actor__username")
    def actor_name(self, event):
        if event.actor is None:
            return "—"
        name = event.actor.get_full_name() or event.actor.get_username()
        # An acting officer did it for the position: "Nama (Plh. Kepala Dinas)".
        return f"{name} ({event.acting_label})" if event.acting_label else name

    @admin.display(description=_("tindakan"), ordering="action")
    def action_label(self, event):
        return event.get_action_display()

    @admin.display(description=_("proses"), ordering="process")
    def process_label(self, event):
        return event.process or "—"

    @admin.display(description=_("langkah"), ordering="step_number")
    def step(self, event):
        return event.step_number or "—"

    @admin.display(description=_("keterangan"))
    def detail_text(self, event):
        return event.detail


@admin.register(ActingAppointment)
class ActingAppointmentAdmin(admin.ModelAdmin):
    """Plh/Plt appointments: who stands in for which position, from when to when, by which letter."""

    list_display = ["officer_name", "kind", "position", "start_date", "end_date", "letter_number", "organisation"]
    list_filter = [ORGANISATION_FILTER, ("kind", titled(admin.ChoicesFieldListFilter, _("jenis penunjukan")))]
    search_fields = ["officer__user__first_name", "officer__user__last_name", "officer__nip", "letter_number",
                     "position__name"]
    date_hierarchy = "start_date"
    fields = ["organisation", "position", "officer", "kind", "start_date", "end_date", "letter_number",
              "letter_date", "scope_note", "created_by"]
    readonly_fields = ["created_by"]
    list_select_related = ["officer__user", "position", "organisation"]

    @admin.display(description=_("pegawai yang ditunjuk"), ordering="officer__user__first_name")
    def officer_name(self, appointment):
        nip = appointment.officer.nip
        name = appointment.officer.display_name
        return f"{name} (NIP {nip})" if nip else name

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "position":
            kwargs["queryset"] = Position.objects.filter(is_active=True).select_related("organisation")
        if db_field.name == "officer":
            kwargs["queryset"] = Officer.objects.select_related("user", "organisation")
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "position":
            # The same built-in names exist in every organisation: say which one.
            field.label_from_instance = lambda position: f"{position.name} ({position.organisation.short_name})"
        return field

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(OutOfOffice)
class OutOfOfficeAdmin(admin.ModelAdmin):
    """Officers' out-of-office periods (each officer records their own on the Penugasan pages)."""

    list_display = ["officer", "start_date", "end_date", "note", "target"]
    list_filter = [("target", titled(admin.ChoicesFieldListFilter, _("tugas baru dialihkan")))]
    date_hierarchy = "start_date"
    list_select_related = ["officer__user", "officer__organisation"]


@admin.register(Reassignment)
class ReassignmentAdmin(ReadOnlyAdmin):
    """Read-only: each handing-on of a task, as the audit trail records it too."""

    list_display = ["created", "kind", "task_id", "process", "from_user", "to_user", "by", "reason"]
    list_filter = [("kind", titled(admin.ChoicesFieldListFilter, _("jenis")))]
    date_hierarchy = "created"
    list_select_related = ["process", "from_user", "to_user", "by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The notification outbox: what was written for whom, and whether its e-mail went out.
    Failed e-mails stay here with their error and are tried again by the timers loop; the
    action sends them at the next sweep instead of waiting for the backoff."""

    list_display = ["created", "kind", "recipient", "organisation", "subject", "mail_status", "attempts",
                    "next_attempt_at", "short_error"]
    list_filter = [
        ("mail_status", titled(admin.ChoicesFieldListFilter, _("status e-mail"))),
        ("kind", titled(admin.ChoicesFieldListFilter, _("jenis"))),
        ("channel", titled(admin.ChoicesFieldListFilter, _("saluran"))),
        ORGANISATION_FILTER,
    ]
    search_fields = ["subject", "recipient__username"]
    date_hierarchy = "created"
    list_select_related = ["recipient", "organisation"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["retry_now"]

    @admin.display(description=_("galat terakhir"))
    def short_error(self, notice):
        return (notice.last_error[:120] + "…") if len(notice.last_error) > 120 else (notice.last_error or "—")

    @admin.action(description=_("Kirim ulang e-mail yang gagal pada putaran berikutnya"))
    def retry_now(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(mail_status=Notification.MailStatus.FAILED).update(next_attempt_at=timezone.now())
        self.message_user(request, _("%(count)s pemberitahuan dijadwalkan ulang.") % {"count": count})

    def has_add_permission(self, request):
        return False


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    """Regional holidays and cancelled national days; only deadlines computed afterwards move."""

    list_display = ["date", "action", "name", "organisation"]
    list_filter = ["action", "organisation"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(AlternativeSchedule)
class AlternativeScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "first_day", "last_day", "organisation"]
    list_filter = ["organisation"]
    fieldsets = [
        (None, {"fields": ["organisation", "name", "first_day", "last_day"]}),
        (_("Jam kerja"), {"fields": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}),
    ]


@admin.register(WaktuOverride)
class WaktuOverrideAdmin(admin.ModelAdmin):
    """An organisation's own Waktu for one step; the catalogue's value applies everywhere else."""

    list_display = ["organisation", "sop", "step_number", "step_title", "amount", "unit", "catalogue_waktu"]
    list_filter = ["organisation", "sop"]

    @admin.display(description=_("kegiatan"))
    def step_title(self, row):
        step = self._step(row)
        return step.title if step else "—"

    @admin.display(description=_("waktu dalam SOP"))
    def catalogue_waktu(self, row):
        step = self._step(row)
        return step.waktu_label if step else "—"

    def _step(self, row):
        from .catalogue import sop_of

        sop = sop_of(row.sop)
        return sop.step_for_node(row.node) if sop else None


@admin.register(OrganisationSopNumber)
class OrganisationSopNumberAdmin(admin.ModelAdmin):
    """The Nomor SOP an organisation gives a built-in SOP (printed on its SOP document and control sheets)."""

    list_display = ["organisation", "sop", "nomor", "seed_nomor"]
    list_filter = [ORGANISATION_FILTER, "sop"]
    search_fields = ["nomor"]

    @admin.display(description=_("nomor dalam SOP bawaan"))
    def seed_nomor(self, row):
        from .catalogue import SOPS

        sop = SOPS.get(row.sop)
        return (sop.identity.nomor if sop else "") or _("belum bernomor")


@admin.register(MonitoringRule)
class MonitoringRuleAdmin(admin.ModelAdmin):
    """When the Formulir Monitoring prefills *Tidak berjalan baik*; one row per organisation
    (without one, 80% tepat waktu and 30% pengembalian apply)."""

    list_display = ["organisation", "min_on_time_percent", "max_returns_percent", "max_median_percent"]
    list_filter = [ORGANISATION_FILTER]


@admin.register(SigningIdentity)
class SigningIdentityAdmin(admin.ModelAdmin):
    list_display = ["officer_name", "kind"]
    list_filter = ["kind"]

    @admin.display(description=_("pegawai"), ordering="officer__user__first_name")
    def officer_name(self, identity):
        return identity.officer


# viewflow's own process and task lists, for administrators: the same rows with Indonesian
# column names, the flow's title instead of its Python path, and no internal permission strings.
admin.site.unregister(Process)
admin.site.unregister(Task)


@admin.register(Process)
class ProcessAdmin(viewflow_admin.ProcessAdmin):
    list_display = ["number", "created", "flow", "status", "participants", "summary"]
    list_display_links = ["number", "created"]

    @admin.display(description=_("No."), ordering="pk")
    def number(self, process):
        return process.pk

    @admin.display(description=_("alur"), ordering="flow_class")
    def flow(self, process):
        return process.flow_class.process_title if process.flow_class else "—"

    @admin.display(description=_("pelaksana"))
    def participants(self, process):
        return super().participants(process)

    @admin.display(description=_("ringkasan"))
    def summary(self, process):
        sop_process = getattr(process, "sopprocess", None)
        return sop_process.brief if sop_process is not None else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sopprocess")


class TaskFlowFilter(admin.SimpleListFilter):
    """By flow, named by its title (viewflow's own filter lists Python paths)."""

    title = _("alur")
    parameter_name = "flow"

    def lookups(self, request, model_admin):
        flow_classes = Process._default_manager.order_by("flow_class").values_list("flow_class", flat=True).distinct()
        return [(get_flow_ref(flow_class), flow_class.process_title) for flow_class in flow_classes if flow_class]

    def queryset(self, request, queryset):
        return queryset.filter(process__flow_class=self.value()) if self.value() else queryset


@admin.register(Task)
class TaskAdmin(viewflow_admin.TaskAdmin):
    list_display = ["number", "created", "step", "process", "status", "owner", "started", "finished"]
    list_display_links = ["number", "created"]
    list_filter = ["status", TaskFlowFilter]

    @admin.display(description=_("No."), ordering="pk")
    def number(self, task):
        return task.pk

    @admin.display(description=_("langkah"))
    def step(self, task):
        return task.title if task.flow_task else "—"


# Each SOP's own admin pages, from its package's admin module.
for _sop in PACKAGES:
    _sop.module("admin")


class SopVersionInline(admin.TabularInline):
    """The versions of an authored SOP, to read: they are written in the SOP editor, and a
    published version never changes."""

    model = SopVersion
    extra = 0
    can_delete = False
    show_change_link = False
    fields = ["number", "status", "nama", "tanggal_revisi", "published_at", "published_by"]
    readonly_fields = fields
    verbose_name = _("versi")
    verbose_name_plural = _("versi (diubah lewat halaman SOP Organisasi)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SopDefinition)
class SopDefinitionAdmin(admin.ModelAdmin):
    """An organisation's own SOPs, to read; they are written, published and retired on the
    "SOP Organisasi" pages by the organisation's SOP administrators."""

    list_display = ["code", "nomor", "name", "organisation", "retired_at"]
    list_filter = [ORGANISATION_FILTER]
    search_fields = ["code", "nomor", "versions__nama"]
    fields = ["organisation", "code", "nomor", "created_by", "created", "retired_at", "retired_by"]
    readonly_fields = fields
    inlines = [SopVersionInline]

    @admin.display(description=_("Nama SOP"))
    def name(self, definition):
        return definition.name

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


def schedulable_sops():
    """(value, label) of every SOP a schedule may start: the built-in ones, then each
    organisation's own published SOPs (the model checks that one belongs to the organisation)."""
    from .catalogue import REGISTRY

    choices = [(sop.code, f"SOP {sop.code} · {sop.name}") for sop in REGISTRY]
    for definition in SopDefinition.objects.startable().select_related("organisation").order_by("organisation", "code"):
        choices.append((definition.key, f"{definition.code} · {definition.name} ({definition.organisation.short_name})"))
    return choices


class SopScheduleForm(forms.ModelForm):
    sop = forms.ChoiceField(label=_("SOP"), choices=schedulable_sops)

    class Meta:
        model = SopSchedule
        fields = ["organisation", "sop", "period_type", "start_time", "first_day", "active"]


@admin.register(SopSchedule)
class SopScheduleAdmin(admin.ModelAdmin):
    """Processes that start themselves: per organisation and SOP, switched off with "aktif"."""

    form = SopScheduleForm
    list_display = ["organisation", "sop_label", "period_type", "start_time", "active", "next_start", "last_error"]
    list_filter = [ORGANISATION_FILTER, "active", "period_type"]
    readonly_fields = ["last_error", "last_error_period"]

    @admin.display(description=_("SOP"))
    def sop_label(self, schedule):
        return schedule.sop_label

    @admin.display(description=_("mulai berikutnya"))
    def next_start(self, schedule):
        from .reports.formatting import full_moment

        moment = schedule.next_start_moment()
        return full_moment(moment, schedule.organisation.timezone) if moment else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


from .api import admin as api_admin  # noqa: E402,F401  (registers the API tokens)
