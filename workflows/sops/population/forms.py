from datetime import date

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from workflows.forms.common import DateInput, InstructionForm, ReviewForm, duplicate_period_error, year_field
from workflows.models import PeriodType, Review
from workflows.models.organisation import officers_with_role
from workflows.roles import Role
from workflows.uploads import UploadLimit, refusal_error

from .definition import SOP_A
from .models import DkbUpload

SEMESTERS = [(1, _("Semester I (posisi 30 Juni)")), (2, _("Semester II (posisi 31 Desember)"))]

# The step-3 view's max_upload_bytes: enforced while the extract streams in (workflows/uploads.py).
DKB_UPLOAD_LIMIT = UploadLimit("DKB_UPLOAD_MAX_MB")


class OrderForm(InstructionForm):
    """Step 1's order to the Kabid: in the start form, or as the task a schedule opens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Perintah kepada Kabid PIAK")
        self.fields["text"].initial = _(
            "Bentuk Tim Pengolahan dan Penyajian Data untuk mengolah data kependudukan tingkat provinsi."
        )


class StartPopulationForm(OrderForm):
    year = year_field()
    semester = forms.TypedChoiceField(label=_("Semester"), choices=SEMESTERS, coerce=int)
    field_order = ["year", "semester", "text"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year") and cleaned.get("semester"):
            error = duplicate_period_error(
                self.organisation, SOP_A.code, cleaned["year"], PeriodType.SEMESTER, cleaned["semester"]
            )
            if error:
                raise forms.ValidationError(error, code="duplicate")
        return cleaned


class FormTeamForm(forms.Form):
    number = forms.CharField(label=_("Nomor SK Tim"), max_length=100)
    date = forms.DateField(label=_("Tanggal SK"), widget=DateInput())
    members = forms.ModelMultipleChoiceField(
        label=_("Anggota tim"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih sekurang-kurangnya satu anggota tim.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = officers_with_role(organisation, Role.TIM)
        self.fields["members"].label_from_instance = lambda user: user.get_full_name() or user.username

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal SK tidak boleh di masa depan."))
        return value


class UploadForm(forms.ModelForm):
    """Step 3, first part: the DKB/DWH extract, its source and its cut-off date."""

    upload = forms.FileField(
        label=_("Berkas ekstrak DKB/DWH"),
        help_text=_("CSV (dipisah koma, titik koma, pipa atau tab; boleh .gz) atau Parquet."),
        allow_empty_file=True,  # clean_upload says "Berkas kosong (0 bita)" in its own words
    )

    class Meta:
        model = DkbUpload
        fields = ["upload", "source", "cutoff_date"]
        widgets = {"cutoff_date": DateInput()}

    def __init__(self, *args, process, **kwargs):
        super().__init__(*args, **kwargs)
        self.process = process
        self.fields["upload"].widget.attrs["accept"] = ".csv,.txt,.gz,.parquet"
        if not self.is_bound:
            self.initial.setdefault("cutoff_date", self.semester_bounds()[1])
            self.initial.setdefault("source", "DKB")

    def semester_bounds(self):
        year = self.process.year
        if self.process.period_number == 1:
            return date(year, 1, 1), date(year, 6, 30)
        return date(year, 7, 1), date(year, 12, 31)

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        refused = refusal_error(upload)  # stopped while streaming in, past the view's limit
        if refused:
            raise forms.ValidationError(refused, code="too_large")
        limit = int(DKB_UPLOAD_LIMIT)
        if upload.size == 0:
            raise forms.ValidationError(_("Berkas kosong (0 bita). Unggah ekstrak yang berisi data."))
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas terlalu besar (%(size)s). Batas unggahan adalah %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload

    def clean_cutoff_date(self):
        value = self.cleaned_data["cutoff_date"]
        start, end = self.semester_bounds()
        if not start <= value <= end:
            raise forms.ValidationError(
                _("Tanggal posisi data harus di dalam %(period)s (%(start)s s.d. %(end)s).")
                % {"period": self.process.period_label, "start": formats.date_format(start), "end": formats.date_format(end)}
            )
        if value > timezone.localdate():
            raise forms.ValidationError(_("Tanggal posisi data tidak boleh di masa depan."))
        return value


class SubmitDraftForm(forms.Form):
    """Step 3, second part: hand the draft (the aggregated tables) to the Kasi."""

    notes = forms.CharField(
        label=_("Catatan pengolahan untuk Kasi"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class CorrectForm(ReviewForm):
    approve_label = _("Benar: paraf dan teruskan ke Kabid PIAK")
    return_label = _("Ada kekurangan: kembalikan ke Tim Teknis")


class ValidateForm(ReviewForm):
    approve_label = _("Valid: teruskan ke Kepala Dinas")
    return_label = _("Belum valid: kembalikan ke Kasi")


class ApproveForm(ReviewForm):
    approve_label = _("Sahkan dan tandatangani laporan")
    return_label = _("Kembalikan ke Kabid PIAK")

    passphrase = forms.CharField(
        label=_("Passphrase sertifikat tanda tangan elektronik"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Diminta setiap kali menandatangani; tidak pernah disimpan."),
    )
    field_order = ["decision", "passphrase", "notes"]

    def __init__(self, *args, **kwargs):
        from workflows.signing import signing_time_note

        super().__init__(*args, **kwargs)
        self.fields["passphrase"].help_text = f"{self.fields['passphrase'].help_text} {signing_time_note()}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Review.APPROVE and not cleaned.get("passphrase"):
            self.add_error("passphrase", _("Masukkan passphrase untuk menandatangani laporan."))
        return cleaned


class ReceiveForm(InstructionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Perintah kepada Kasi Pengolahan dan Penyajian Data")
        self.fields["text"].initial = _(
            "Cetak dan perbanyak laporan, publikasikan, dan serahkan kepada pihak yang berkepentingan."
        )


class PublicationForm(forms.Form):
    copies = forms.IntegerField(label=_("Jumlah eksemplar dicetak"), min_value=1, max_value=100000)
    printed_on = forms.DateField(label=_("Tanggal cetak"), widget=DateInput())
    published_on = forms.DateField(label=_("Tanggal publikasi"), widget=DateInput())
    channel = forms.CharField(
        label=_("Media publikasi"), max_length=200, help_text=_("Mis. situs web dinas, portal Satu Data.")
    )
    instruction_to_adb = forms.CharField(
        label=_("Perintah kepada ADB"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("Lakukan back-up data kependudukan semester ini dalam folder khusus dengan PIN/kata sandi."),
    )

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("printed_on", "published_on"):
            if cleaned.get(name) and cleaned[name] > today:
                self.add_error(name, _("Tanggal tidak boleh di masa depan."))
        return cleaned


class DistributionForm(forms.Form):
    recipient = forms.CharField(label=_("Penerima"), max_length=200)
    delivered_on = forms.DateField(label=_("Tanggal diserahkan"), widget=DateInput())
    # No initial value: a blank extra row must stay "unchanged" so the formset skips it.
    copies = forms.IntegerField(label=_("Eksemplar"), min_value=1, required=False, help_text=_("Kosong = 1"))

    def clean_copies(self):
        return self.cleaned_data.get("copies") or 1


class BaseDistributionFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not filled:
            raise forms.ValidationError(_("Catat sekurang-kurangnya satu penerima laporan."))


DistributionFormSet = forms.formset_factory(
    DistributionForm, formset=BaseDistributionFormSet, extra=3, max_num=50, validate_max=True
)


class BackupForm(forms.Form):
    """Step 9: the archive password, twice. It is used once and never stored or logged."""

    password1 = forms.CharField(
        label=_("Kata sandi arsip"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Sekurang-kurangnya 12 karakter. Simpan di tempat terpisah: tanpa kata sandi ini arsip tidak dapat dibuka."),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi arsip"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    notes = forms.CharField(label=_("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        from django.contrib.auth import password_validation

        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Kedua kata sandi tidak sama."))
        elif first:
            validators = [
                validator
                for validator in password_validation.get_default_password_validators()
                if not isinstance(validator, password_validation.MinimumLengthValidator)
            ] + [password_validation.MinimumLengthValidator(min_length=12)]
            try:
                password_validation.validate_password(first, user=self.user, password_validators=validators)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
