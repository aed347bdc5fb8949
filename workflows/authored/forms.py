"""The forms of an authored step, one per step kind; the start form adds the process's subject."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.forms.common import DateInput, InstructionForm, ReviewForm
from workflows.forms.files import MultipleFileField, check_uploads
from workflows.uploads import UploadLimit

from .models import StepKind

ATTACHMENT_UPLOAD_LIMIT = UploadLimit("AUTHORED_UPLOAD_MAX_MB")


class SubjectMixin(forms.Form):
    subject = forms.CharField(
        label=_("Perihal"),
        max_length=300,
        help_text=_("Perkara yang diproses, mis. nomor dan perihal surat masuk atau nama pemohon data."),
    )


class PerintahForm(InstructionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = _("Isi perintah/disposisi untuk pelaksana berikutnya")


class IsianForm(forms.Form):
    notes = forms.CharField(
        label=_("Catatan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Apa yang dikerjakan pada langkah ini."),
    )
    files = MultipleFileField(
        label=_("Berkas kelengkapan/output"), required=False,
        help_text=_("PDF, gambar atau dokumen kantor; boleh lebih dari satu berkas."),
    )

    def clean_files(self):
        return check_uploads(self.cleaned_data.get("files") or [], int(ATTACHMENT_UPLOAD_LIMIT))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("notes", "").strip() and not cleaned.get("files"):
            raise forms.ValidationError(_("Tuliskan catatan atau lampirkan sekurang-kurangnya satu berkas."))
        return cleaned


class PemeriksaanForm(ReviewForm):
    approve_label = _("Sesuai, lanjutkan")

    def __init__(self, *args, return_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if return_label:
            self.fields["decision"].choices = [self.fields["decision"].choices[0], ("return", return_label)]


class PenandatangananForm(forms.Form):
    document = forms.TypedChoiceField(
        label=_("Dokumen yang ditandatangani"), coerce=int, required=False, widget=forms.RadioSelect,
        empty_value=None,
    )
    upload = forms.FileField(
        label=_("atau unggah PDF yang ditandatangani"), required=False,
        help_text=_("Hanya PDF."),
    )
    passphrase = forms.CharField(
        label=_("Passphrase sertifikat"), widget=forms.PasswordInput(render_value=False), strip=False, max_length=200,
    )
    notes = forms.CharField(label=_("Catatan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, documents=(), **kwargs):
        from workflows.signing import signing_time_note

        super().__init__(*args, **kwargs)
        self.fields["passphrase"].help_text = signing_time_note()
        self.fields["document"].choices = [(item.pk, item.original_name) for item in documents]
        if documents:
            self.fields["document"].initial = documents[-1].pk

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload:
            check_uploads([upload], int(ATTACHMENT_UPLOAD_LIMIT))
            upload.seek(0)
            head = upload.read(5)
            upload.seek(0)
            if head != b"%PDF-":
                raise forms.ValidationError(_("Berkas %(name)s bukan PDF.") % {"name": upload.name})
        return upload

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("document") is None and not cleaned.get("upload"):
            raise forms.ValidationError(_("Pilih dokumen yang akan ditandatangani, atau unggah PDF-nya."))
        return cleaned


class PencatatanForm(forms.Form):
    record_number = forms.CharField(label=_("Nomor"), max_length=100, help_text=_("mis. nomor surat keluar."))
    record_date = forms.DateField(label=_("Tanggal"), widget=DateInput())
    notes = forms.CharField(label=_("Catatan"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


FORMS = {
    StepKind.PERINTAH: PerintahForm,
    StepKind.ISIAN: IsianForm,
    StepKind.PEMERIKSAAN: PemeriksaanForm,
    StepKind.PENANDATANGANAN: PenandatangananForm,
    StepKind.PENCATATAN: PencatatanForm,
}


def step_form_class(kind, start=False):
    form_class = FORMS[kind]
    if start:
        return type(f"Start{form_class.__name__}", (SubjectMixin, form_class), {})
    return form_class
