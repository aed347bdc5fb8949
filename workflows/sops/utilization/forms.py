from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.forms.files import MultipleFileField, check_uploads
from workflows.forms.common import DateInput, InstructionForm, ReviewForm, duplicate_period_error, year_field
from workflows.models import PeriodType
from workflows.models.organisation import officers_with_role
from workflows.models.process import PERIOD_LIMITS
from workflows.roles import Role
from workflows.uploads import UploadLimit

from .definition import SOP_B
from .models import Opd, UtilizationEntry


class DispositionForm(InstructionForm):
    """Step 1's disposition to the Kasi: in the start form, or as the task a schedule opens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Disposisi kepada Kasi KIP")
        self.fields["text"].initial = _(
            "Buat Daftar Pemanfaatan Data Kependudukan oleh OPD lingkup Pemerintah Provinsi."
        )


class StartUtilizationForm(DispositionForm):
    year = year_field()
    period_type = forms.ChoiceField(label=_("Jenis periode"), choices=PeriodType.choices)
    period_number = forms.IntegerField(
        label=_("Periode ke"),
        min_value=1,
        max_value=4,
        initial=1,
        help_text=_("Triwulan 1–4, semester 1–2, tahun: 1."),
    )
    field_order = ["year", "period_type", "period_number", "text"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean(self):
        cleaned = super().clean()
        period_type, number = cleaned.get("period_type"), cleaned.get("period_number")
        if period_type and number:
            limit = PERIOD_LIMITS[period_type]
            if number > limit:
                self.add_error(
                    "period_number",
                    _("%(type)s hanya sampai periode ke-%(limit)s.")
                    % {"type": PeriodType(period_type).label, "limit": limit},
                )
            elif cleaned.get("year"):
                error = duplicate_period_error(self.organisation, SOP_B.code, cleaned["year"], period_type, number)
                if error:
                    raise forms.ValidationError(error, code="duplicate")
        return cleaned


class InstructStaffForm(InstructionForm):
    staff = forms.ModelMultipleChoiceField(
        label=_("Staf yang ditugaskan"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih sekurang-kurangnya satu staf.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Petunjuk kepada Staf")
        self.fields["text"].initial = _(
            "Buat Daftar Pemanfaatan Data Kependudukan oleh OPD dan kumpulkan data dukungnya."
        )
        self.fields["staff"].queryset = officers_with_role(organisation, Role.STAF)
        self.fields["staff"].label_from_instance = lambda user: user.get_full_name() or user.username


# The step-3 view's max_upload_bytes: each evidence file is cut off at this size while it streams in.
EVIDENCE_UPLOAD_LIMIT = UploadLimit("EVIDENCE_UPLOAD_MAX_MB")


class UtilizationEntryForm(forms.ModelForm):
    evidence = MultipleFileField(
        label=_("Data dukung (bukti)"),
        required=False,
        help_text=_("PDF, gambar atau dokumen kantor; boleh lebih dari satu berkas."),
    )

    class Meta:
        model = UtilizationEntry
        fields = ["opd", "use_type", "access_method", "pks_number", "pks_date", "pks_expiry", "purpose", "uses"]
        widgets = {"pks_date": DateInput(), "pks_expiry": DateInput()}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opd"].queryset = Opd.objects.filter(organisation=organisation, is_active=True)
        self.fields["opd"].empty_label = _("— pilih OPD —")

    def clean_evidence(self):
        return check_uploads(self.cleaned_data.get("evidence") or [], int(EVIDENCE_UPLOAD_LIMIT))

    def clean(self):
        cleaned = super().clean()
        start, expiry = cleaned.get("pks_date"), cleaned.get("pks_expiry")
        if start and expiry and expiry < start:
            self.add_error("pks_expiry", _("Tanggal berakhir PKS tidak boleh sebelum tanggal PKS."))
        return cleaned


class ConfirmCountForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("Saya telah memeriksa hasil penghitungan dan menyatakannya benar"),
        error_messages={"required": _("Centang konfirmasi untuk melaporkan hasil hitung kepada Kasi.")},
    )


def passphrase_field():
    """The signer's certificate passphrase, asked at every signing and never stored."""
    from workflows.signing import signing_time_note

    return forms.CharField(
        label=_("Passphrase sertifikat tanda tangan elektronik"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=f"{_('Diminta setiap kali menandatangani; tidak pernah disimpan.')} {signing_time_note()}",
    )


class EvaluateForm(ReviewForm):
    """Step 5: the Kasi's analysis; forwarding it signs the Laporan Pemanfaatan Data Kependudukan."""

    approve_label = _("Tandatangani laporan dan teruskan kepada Kabid")
    return_label = _("Kembalikan ke Staf untuk diperbaiki")

    analysis = forms.CharField(
        label=_("Analisis dan evaluasi"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=10000,
    )
    field_order = ["analysis", "decision", "passphrase", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passphrase"] = passphrase_field()
        self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        from workflows.models import Review

        if cleaned.get("decision") == Review.APPROVE:
            if not cleaned.get("analysis", "").strip():
                self.add_error("analysis", _("Tuliskan analisis dan evaluasi sebelum meneruskan laporan."))
            if not cleaned.get("passphrase"):
                self.add_error("passphrase", _("Masukkan passphrase untuk menandatangani laporan."))
        return cleaned

    @property
    def signs(self):
        from workflows.models import Review

        return self.cleaned_data.get("decision") == Review.APPROVE


class LakipForm(forms.Form):
    indicator = forms.CharField(
        label=_("Indikator kinerja"),
        max_length=300,
        initial=_("Persentase OPD yang memanfaatkan data kependudukan"),
    )
    # One decimal, as every percentage of this SOP (PERCENT_DECIMALS); Django says so in Indonesian.
    target = forms.DecimalField(label=_("Target (%)"), min_value=Decimal("0.1"), max_value=1000, decimal_places=1)
    realisation = forms.DecimalField(label=_("Realisasi (%)"), min_value=0, max_value=1000, decimal_places=1)
    analysis = forms.CharField(label=_("Analisis capaian"), widget=forms.Textarea(attrs={"rows": 6}))
    signs = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passphrase"] = passphrase_field()
        self.fields["passphrase"].required = True
        self.fields["passphrase"].error_messages["required"] = _("Masukkan passphrase untuk menandatangani bahan LAKIP.")
        self.fields["passphrase"].help_text = _(
            "Menyimpan bahan LAKIP berarti menandatanganinya secara elektronik. %(help)s"
        ) % {"help": self.fields["passphrase"].help_text}


class CheckForm(ReviewForm):
    approve_label = _("Sesuai: terima sebagai bahan LAKIP Dinas dan tutup proses")
    return_label = _("Kembalikan ke Kabid untuk diperbaiki")
