from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Review, SopProcess


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # ISO format is what <input type="date"> sends and expects; the browser shows it
        # in the user's locale.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class InstructionForm(forms.Form):
    text = forms.CharField(
        label=_("Isi disposisi / perintah"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class ReviewForm(forms.Form):
    """Approve or return with notes: a review that cannot say no is not a review."""

    approve_label = _("Setujui")
    return_label = _("Kembalikan untuk diperbaiki")

    decision = forms.ChoiceField(label=_("Keputusan"), widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("Catatan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Wajib diisi bila dikembalikan: jelaskan apa yang harus diperbaiki."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            (Review.APPROVE, self.approve_label),
            (Review.RETURN, self.return_label),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Review.RETURN and not cleaned.get("notes", "").strip():
            self.add_error("notes", _("Tuliskan alasan pengembalian agar dapat diperbaiki."))
        return cleaned


def current_year():
    return timezone.localdate().year


def year_field():
    return forms.IntegerField(
        label=_("Tahun"),
        min_value=2000,
        max_value=2100,
        initial=current_year,
        error_messages={
            "min_value": _("Tahun harus antara 2000 dan 2100."),
            "max_value": _("Tahun harus antara 2000 dan 2100."),
        },
    )


def duplicate_period_error(organisation, sop, year, period_type, number):
    existing = SopProcess.objects.filter(
        organisation=organisation,
        sop=sop,
        year=year,
        period_type=period_type,
        period_number=number,
        cancelled=False,
    ).first()
    if existing is None:
        return None
    return _(
        "Proses untuk %(period)s sudah ada di organisasi ini (#%(pk)s). Lanjutkan proses tersebut, "
        "atau minta pimpinan membatalkannya lebih dulu."
    ) % {"period": existing.period_label, "pk": existing.pk}
