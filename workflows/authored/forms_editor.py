"""The SOP editor's forms: the identity block of a draft and its Prosedur table (one row per step).

What a single input must be (a number, a known position, a return target before the step) is
checked here, with an Indonesian message beside the field. What makes a whole version runnable
(numbering without gaps, the kind of step 1, ...) is ``SopVersion.problems()``, shown above the
table and enforced when publishing; a draft may be saved with such problems.
"""

import itertools

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.models import Position
from workflows.sops.spec import WaktuUnit

from .models import CODE_PATTERN, SopDefinition, SopVersion, StepKind, VersionStep

LINES_HELP = gettext_lazy("Satu butir per baris.")


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def text_area(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class IdentityForm(forms.ModelForm):
    """The identity block (the Permenpan identity page) of a draft, with the SOP's code and
    Nomor SOP. Those two belong to the definition, so once a version is published (and prints
    them) they no longer change."""

    code = forms.CharField(
        label=gettext_lazy("Kode SOP"),
        max_length=20,
        help_text=gettext_lazy("Huruf besar, angka dan tanda hubung, 2–20 karakter, mis. LAYANAN-DATA."),
        error_messages={"required": gettext_lazy("Kode SOP wajib diisi.")},
    )
    nomor = forms.CharField(
        label=gettext_lazy("Nomor SOP"),
        max_length=100,
        error_messages={"required": gettext_lazy("Nomor SOP wajib diisi.")},
    )

    class Meta:
        model = SopVersion
        fields = list(SopVersion.IDENTITY_FIELDS)
        labels = {"unit": gettext_lazy("Unit kerja")}
        help_texts = {"unit": gettext_lazy("Kosongkan untuk memakai bidang/seksi organisasi.")}
        widgets = {
            "tanggal_pembuatan": date_input(),
            "tanggal_efektif": date_input(),
            "dasar_hukum": text_area(4),
            "kualifikasi_pelaksana": text_area(3),
            "keterkaitan": text_area(3),
            "peralatan": text_area(3),
            "peringatan": text_area(3),
            "pencatatan": text_area(2),
        }
        error_messages = {
            "nama": {"required": gettext_lazy("Nama SOP wajib diisi.")},
            "tanggal_pembuatan": {"invalid": gettext_lazy("Tanggal Pembuatan tidak valid.")},
            "tanggal_efektif": {"invalid": gettext_lazy("Tanggal Efektif tidak valid.")},
        }

    field_order = ["code", "nomor", "nama", "unit", "tanggal_pembuatan", "tanggal_efektif", "disahkan_oleh"]

    def __init__(self, *args, organisation, definition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.definition = definition
        if definition is not None:
            self.fields["code"].initial = definition.code
            self.fields["nomor"].initial = definition.nomor
            if definition.latest_published() is not None:
                for name in ("code", "nomor"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Tetap sejak versi pertama terbit.")

    def others(self):
        others = SopDefinition.objects.for_organisation(self.organisation)
        return others.exclude(pk=self.definition.pk) if self.definition is not None else others

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                _("Kode SOP hanya boleh huruf besar, angka dan tanda hubung, 2–20 karakter, diawali huruf atau "
                  "angka (mis. LAYANAN-DATA).")
            )
        if self.others().filter(code=code).exists():
            raise forms.ValidationError(_("Kode SOP %(code)s sudah dipakai SOP lain di organisasi ini.") % {"code": code})
        return code

    def clean_nomor(self):
        nomor = " ".join(self.cleaned_data["nomor"].split())
        if not nomor:
            raise forms.ValidationError(_("Nomor SOP wajib diisi."))
        if self.others().filter(nomor=nomor).exists():
            raise forms.ValidationError(_("Nomor SOP ini sudah dipakai SOP lain di organisasi ini."))
        return nomor

    def clean_nama(self):
        nama = " ".join(self.cleaned_data["nama"].split())
        if not nama:
            raise forms.ValidationError(_("Nama SOP wajib diisi."))
        return nama

    def clean(self):
        data = super().clean()
        made, effective = data.get("tanggal_pembuatan"), data.get("tanggal_efektif")
        if made and effective and effective < made:
            self.add_error("tanggal_efektif", _("Tanggal Efektif tidak boleh sebelum Tanggal Pembuatan."))
        return data

    def save(self, user):
        """Store the draft: a new definition and draft for a new SOP, else the definition's draft."""
        with transaction.atomic():
            definition = self.definition
            if definition is None:
                definition = SopDefinition.objects.create(
                    organisation=self.organisation, code=self.cleaned_data["code"], nomor=self.cleaned_data["nomor"],
                    created_by=user,
                )
            elif not self.fields["code"].disabled:
                definition.code, definition.nomor = self.cleaned_data["code"], self.cleaned_data["nomor"]
                definition.save(update_fields=["code", "nomor"])
            version = self.instance
            version.definition = definition
            if version.pk is None:
                version.status, version.created_by = SopVersion.DRAFT, user
            version.save()
        self.definition = definition
        return version


# The cells that make a row a step: a row with none of them filled is an unused empty row.
CONTENT_FIELDS = ("kegiatan", "position", "kelengkapan", "waktu_amount", "output", "return_to", "keterangan")


class StepForm(forms.Form):
    """One row of the Prosedur table."""

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    number = forms.IntegerField(
        label=gettext_lazy("No."), min_value=1, max_value=999,
        widget=forms.NumberInput(attrs={"class": "sop-editor__no"}),
        error_messages={
            "required": gettext_lazy("No wajib diisi."),
            "invalid": gettext_lazy("No harus berupa bilangan bulat."),
            "min_value": gettext_lazy("No harus 1 atau lebih."),
            "max_value": gettext_lazy("No paling besar 999."),
        },
    )
    kegiatan = forms.CharField(
        label=gettext_lazy("Kegiatan"), widget=text_area(3),
        error_messages={"required": gettext_lazy("Kegiatan wajib diisi.")},
    )
    position = forms.ModelChoiceField(
        queryset=Position.objects.none(), label=gettext_lazy("Pelaksana"), empty_label=gettext_lazy("— pilih jabatan —"),
        error_messages={
            "required": gettext_lazy("Pilih Pelaksana (jabatan) langkah ini."),
            "invalid_choice": gettext_lazy("Jabatan ini tidak dikenal atau tidak aktif di organisasi Anda."),
        },
    )
    kelengkapan = forms.CharField(label=gettext_lazy("Kelengkapan"), widget=text_area(2), required=False)
    waktu_amount = forms.IntegerField(
        label=gettext_lazy("Waktu"), min_value=1, max_value=100000,
        widget=forms.NumberInput(attrs={"class": "sop-editor__amount"}),
        error_messages={
            "required": gettext_lazy("Waktu wajib diisi."),
            "invalid": gettext_lazy("Waktu harus berupa bilangan bulat."),
            "min_value": gettext_lazy("Waktu harus lebih dari nol."),
            "max_value": gettext_lazy("Waktu terlalu besar; pakai satuan yang lebih besar."),
        },
    )
    waktu_unit = forms.ChoiceField(
        label=gettext_lazy("satuan waktu"), choices=WaktuUnit.CHOICES, initial=WaktuUnit.HOUR,
        error_messages={"invalid_choice": gettext_lazy("Satuan waktu harus menit, jam atau hari.")},
    )
    output = forms.CharField(label=gettext_lazy("Output"), widget=text_area(2), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Jenis"), choices=StepKind.choices, initial=StepKind.PERINTAH,
        error_messages={
            "required": gettext_lazy("Pilih jenis langkah."),
            "invalid_choice": gettext_lazy("Jenis langkah tidak dikenal."),
        },
    )
    return_to = forms.IntegerField(
        label=gettext_lazy("Kembali ke"), min_value=1, required=False,
        widget=forms.NumberInput(attrs={"class": "sop-editor__no"}),
        error_messages={
            "invalid": gettext_lazy("Kembali ke harus berupa nomor langkah."),
            "min_value": gettext_lazy("Kembali ke harus nomor langkah yang ada."),
        },
    )
    keterangan = forms.CharField(label=gettext_lazy("Keterangan"), widget=text_area(2), required=False)
    outside_routine = forms.BooleanField(
        label=gettext_lazy("Tidak boleh oleh Plh"), required=False,
        help_text=gettext_lazy("Di luar kewenangan rutin: Pelaksana Harian (Plh) tidak boleh mengerjakannya."),
    )

    def __init__(self, *args, organisation, suggested_number=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].queryset = Position.objects.filter(organisation=organisation, is_active=True)
        # The table's header names the columns; each cell's input is named for screen readers.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))
        if suggested_number is not None and "number" not in self.initial:
            self.initial["number"] = suggested_number

    def has_changed(self):
        """Whether the row holds a step; the No, Jenis and unit a fresh row starts with do not count."""
        if not self.is_bound:
            return super().has_changed()
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in CONTENT_FIELDS)

    def clean(self):
        data = super().clean()
        number, kind, target = data.get("number"), data.get("kind"), data.get("return_to")
        if kind == StepKind.PEMERIKSAAN:
            if target is None and "return_to" not in self.errors:
                self.add_error("return_to", _("Langkah pemeriksaan harus menyebut langkah tujuan pengembalian "
                                              "(Kembali ke)."))
            elif target is not None and number is not None and target >= number:
                self.add_error("return_to", _("Kembali ke harus langkah sebelum langkah ini (lebih kecil dari "
                                              "%(number)s).") % {"number": number})
        elif kind and target is not None:
            self.add_error("return_to", _("Hanya langkah pemeriksaan yang dapat mengembalikan pekerjaan; "
                                          "kosongkan Kembali ke."))
        return data


class BaseStepFormSet(forms.BaseFormSet):
    """The Prosedur table. Rows keep the No the administrator typed (two rows may not share one);
    a row that already was a step keeps its key, a new row gets a new one when saved."""

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Hapus")

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["organisation"] = self.organisation
        kwargs["suggested_number"] = None if index is None else index + 1
        return kwargs

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
            use_required_attribute=False, organisation=self.organisation, renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def kept_forms(self):
        """The rows that are steps: filled in and not marked for deletion."""
        return [
            form for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        # Checked over every row whose No could be read, so all mistakes show in one round.
        rows = [form for form in self.kept_forms() if form.cleaned_data.get("number") is not None]
        by_number = {}
        for form in rows:
            by_number.setdefault(form.cleaned_data["number"], []).append(form)
        for number, forms_with_it in by_number.items():
            if len(forms_with_it) > 1:
                for form in forms_with_it:
                    form.add_error("number", _("No %(number)s dipakai oleh lebih dari satu baris.") % {"number": number})
        for form in rows:
            target = form.cleaned_data.get("return_to")
            if target is not None and target not in by_number:
                form.add_error("return_to", _("Langkah %(number)s tidak ada di tabel.") % {"number": target})

    def save(self, version):
        """Replace the draft's steps with the table's rows (in one transaction)."""
        if version.is_published:
            raise ValueError("a published version never changes")
        definition = version.definition
        with transaction.atomic():
            existing = set(version.steps.values_list("key", flat=True))
            # New keys are counted on from the first key no version has used, taken before the
            # draft's rows go: a key a deleted draft row had is not given to a different step.
            first_fresh = int(definition.next_step_key()[1:])
            fresh_keys = (f"k{number}" for number in itertools.count(first_fresh))
            VersionStep.objects.filter(version=version).delete()
            seen = set()
            rows = sorted(self.kept_forms(), key=lambda form: form.cleaned_data["number"])
            keyed = []
            for form in rows:
                key = form.cleaned_data.get("key") or ""
                # Only a key this draft already had survives (a hand-edited or copied key does not).
                keyed.append(key if key in existing and key not in seen else None)
                seen.add(key)
            for form, key in zip(rows, keyed):
                data = form.cleaned_data
                VersionStep.objects.create(
                    version=version, key=key or next(fresh_keys), number=data["number"],
                    kegiatan=data["kegiatan"].strip(), position=data["position"], kelengkapan=data["kelengkapan"],
                    waktu_amount=data["waktu_amount"], waktu_unit=data["waktu_unit"], output=data["output"],
                    kind=data["kind"], return_to=data["return_to"], keterangan=data["keterangan"],
                    outside_routine=data["outside_routine"],
                )
        version.__dict__.pop("ordered_steps", None)
        return version


PREFIX = "langkah"


def step_formset(organisation, *, data=None, version=None, extra=2):
    """The Prosedur table of ``version`` (or an empty one), bound to ``data`` on POST."""
    formset_class = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=extra, can_delete=True)
    initial = [
        {
            "key": step.key, "number": step.number, "kegiatan": step.kegiatan, "position": step.position_id,
            "kelengkapan": step.kelengkapan, "waktu_amount": step.waktu_amount, "waktu_unit": step.waktu_unit,
            "output": step.output, "kind": step.kind, "return_to": step.return_to, "keterangan": step.keterangan,
            "outside_routine": step.outside_routine,
        }
        for step in (version.ordered_steps if version is not None else ())
    ]
    return formset_class(data, initial=initial or None, prefix=PREFIX, organisation=organisation)


def with_added_row(data):
    """A copy of the POSTed table with one more, empty row (the "tambah baris" button without
    JavaScript): its No follows the largest No of the rows that hold a step."""
    data = data.copy()
    total_name = f"{PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(total_name, 0))
    except ValueError:
        total = 0
    numbers = []
    for index in range(total):
        value = str(data.get(f"{PREFIX}-{index}-number", "")).strip()
        if value.isdigit() and str(data.get(f"{PREFIX}-{index}-kegiatan", "")).strip():
            numbers.append(int(value))
    data[total_name] = str(total + 1)
    data[f"{PREFIX}-{total}-number"] = str(max(numbers, default=0) + 1)
    data[f"{PREFIX}-{total}-waktu_unit"] = WaktuUnit.HOUR
    data[f"{PREFIX}-{total}-kind"] = StepKind.PERINTAH
    return data
