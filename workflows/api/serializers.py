"""What each endpoint answers. The views build plain dicts; these declare (and check) their shape,
which is also what the OpenAPI document says."""

from rest_framework import serializers as s


class SlaStatusSerializer(s.Serializer):
    code = s.CharField(help_text="on_track, due_soon, overdue, done_on_time, done_late, done_untimed, cancelled")
    label = s.CharField()


class StepSerializer(s.Serializer):
    number = s.IntegerField()
    key = s.CharField(help_text="The step's stable key (node name or authored step key).")
    title = s.CharField()
    kegiatan = s.CharField()
    pelaksana = s.CharField()
    pelaksana_code = s.CharField()
    kelengkapan = s.CharField(allow_blank=True)
    waktu_amount = s.IntegerField()
    waktu_unit = s.CharField()
    waktu_label = s.CharField()
    output = s.CharField(allow_blank=True)
    kind = s.CharField(allow_blank=True)
    return_to = s.IntegerField(allow_null=True)
    keterangan = s.CharField(allow_blank=True)


class IdentitySerializer(s.Serializer):
    instansi = s.CharField(allow_blank=True)
    unit = s.CharField(allow_blank=True)
    nomor = s.CharField(allow_blank=True)
    tanggal_pembuatan = s.DateField(allow_null=True)
    tanggal_revisi = s.DateField(allow_null=True)
    tanggal_efektif = s.DateField(allow_null=True)
    disahkan_oleh = s.CharField(allow_blank=True)
    nama = s.CharField()
    dasar_hukum = s.ListField(child=s.CharField())
    kualifikasi_pelaksana = s.ListField(child=s.CharField())
    keterkaitan = s.ListField(child=s.CharField())
    peralatan = s.ListField(child=s.CharField())
    peringatan = s.CharField(allow_blank=True)
    pencatatan = s.CharField(allow_blank=True)


class VersionSummarySerializer(s.Serializer):
    number = s.IntegerField()
    published_at = s.DateTimeField(allow_null=True)
    url = s.CharField()


class VersionSerializer(s.Serializer):
    sop = s.CharField()
    number = s.IntegerField()
    published_at = s.DateTimeField(allow_null=True)
    identity = IdentitySerializer()
    steps = StepSerializer(many=True)


class SopSerializer(s.Serializer):
    key = s.CharField(help_text="A built-in SOP's code (A, B) or an organisation's SOP key (u<id>).")
    code = s.CharField()
    name = s.CharField()
    nomor = s.CharField(allow_blank=True)
    builtin = s.BooleanField()
    retired = s.BooleanField()
    latest_version = s.IntegerField(allow_null=True)
    versions = VersionSummarySerializer(many=True)
    url = s.CharField()


class OpenTaskSerializer(s.Serializer):
    task = s.IntegerField()
    step_number = s.IntegerField(allow_null=True)
    title = s.CharField()
    status = s.CharField()
    owner = s.CharField(allow_null=True)
    due = s.DateTimeField(allow_null=True)
    due_label = s.CharField()
    sla_status = SlaStatusSerializer(allow_null=True)


class ProcessSerializer(s.Serializer):
    id = s.IntegerField()
    sop = s.CharField()
    sop_name = s.CharField()
    brief = s.CharField()
    case_label = s.CharField()
    year = s.IntegerField()
    period_type = s.CharField()
    period_number = s.IntegerField()
    status = s.CharField()
    status_label = s.CharField()
    created = s.DateTimeField()
    finished = s.DateTimeField(allow_null=True)
    current_steps = OpenTaskSerializer(many=True)
    due = s.DateTimeField(allow_null=True, help_text="The earliest due moment of the open steps.")
    due_label = s.CharField()
    sla_status = SlaStatusSerializer(allow_null=True, help_text="The SLA status of the open step due first.")
    standard_seconds = s.IntegerField(allow_null=True)
    elapsed_seconds = s.IntegerField(allow_null=True)
    web_url = s.CharField()
    audit_url = s.CharField()


class AuditEventSerializer(s.Serializer):
    created = s.DateTimeField()
    created_label = s.CharField()
    action = s.CharField()
    action_label = s.CharField()
    actor = s.CharField(allow_null=True)
    acting_as = s.CharField(allow_blank=True)
    step_number = s.IntegerField(allow_null=True)
    task = s.IntegerField(allow_null=True)
    detail = s.CharField(allow_blank=True)


class FormChoiceSerializer(s.Serializer):
    value = s.CharField()
    label = s.CharField()


class FormFieldSerializer(s.Serializer):
    name = s.CharField()
    label = s.CharField()
    required = s.BooleanField()
    type = s.CharField()
    choices = FormChoiceSerializer(many=True, required=False)
    help_text = s.CharField(required=False)


class TaskFormSerializer(s.Serializer):
    fields = FormFieldSerializer(many=True)
    browser_only = s.CharField(allow_null=True, help_text="Why the API cannot complete this step, or null.")


class TaskSerializer(s.Serializer):
    id = s.IntegerField()
    list = s.CharField(allow_null=True, help_text="inbox (held by you), queue (you may claim it), or null")
    process = s.IntegerField()
    process_brief = s.CharField()
    sop = s.CharField()
    step_number = s.IntegerField(allow_null=True)
    step_kind = s.CharField(allow_blank=True)
    title = s.CharField()
    status = s.CharField()
    owner = s.CharField(allow_null=True)
    created = s.DateTimeField()
    finished = s.DateTimeField(allow_null=True)
    due = s.DateTimeField(allow_null=True)
    due_label = s.CharField()
    sla_status = SlaStatusSerializer(allow_null=True)
    web_url = s.CharField(allow_null=True)
    claim_url = s.CharField()
    complete_url = s.CharField()


class TaskDetailSerializer(TaskSerializer):
    form = TaskFormSerializer(allow_null=True)


class ActionResultSerializer(s.Serializer):
    detail = s.CharField()
    task = TaskSerializer()
    process = ProcessSerializer()


class CompleteRequestSerializer(s.Serializer):
    """The step form's fields, as on the page: ``text`` for an instruction; ``decision``
    (approve/return) and ``notes`` for a review; see the task's ``form``."""

    text = s.CharField(required=False)
    decision = s.ChoiceField(choices=["approve", "return"], required=False)
    notes = s.CharField(required=False, allow_blank=True)


class ErrorSerializer(s.Serializer):
    detail = s.CharField()
    code = s.CharField()
    errors = s.DictField(required=False)


class SlaStepSerializer(s.Serializer):
    sop = s.CharField()
    step_number = s.IntegerField()
    title = s.CharField()
    waktu = s.CharField()
    standard_seconds = s.IntegerField()
    tasks = s.IntegerField()
    finished_count = s.IntegerField()
    timed_count = s.IntegerField()
    on_time_count = s.IntegerField()
    on_time_percent = s.FloatField(allow_null=True)
    open_count = s.IntegerField()
    overdue_open = s.IntegerField()
    returns = s.IntegerField()
    median_seconds = s.FloatField(allow_null=True)
    p90_seconds = s.FloatField(allow_null=True)
    median_label = s.CharField()
    p90_label = s.CharField()
    median_over_standard = s.BooleanField()


class SlaSummarySerializer(s.Serializer):
    finished = s.IntegerField()
    on_time_percent = s.FloatField(allow_null=True)
    overdue_open = s.IntegerField()
    returns = s.IntegerField()


class SlaOfficerSerializer(s.Serializer):
    name = s.CharField()
    finished = s.IntegerField()
    on_time = s.IntegerField()
    on_time_percent = s.FloatField(allow_null=True)
    open = s.IntegerField()
    overdue = s.IntegerField()


class SlaTrendSerializer(s.Serializer):
    label = s.CharField()
    year = s.IntegerField()
    quarter = s.IntegerField()
    finished_count = s.IntegerField()
    on_time_percent = s.FloatField(allow_null=True)


class SlaOverdueSerializer(s.Serializer):
    task = s.IntegerField()
    process = s.IntegerField()
    title = s.CharField()
    due = s.DateTimeField()
    due_label = s.CharField()
    owner = s.CharField(allow_null=True)


class SlaFiguresSerializer(s.Serializer):
    organisation = s.CharField()
    summary = SlaSummarySerializer()
    steps = SlaStepSerializer(many=True)
    officers = SlaOfficerSerializer(many=True)
    trend = SlaTrendSerializer(many=True)
    overdue = SlaOverdueSerializer(many=True)
