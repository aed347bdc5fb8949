"""The workbook pages of an organisation's SOPs: import an XLSX, export a SOP (own or built-in).

Every page answers 404 to a user without an officer, and an organisation's SOP only to its own
officers; importing needs ``workflows.author_sop`` (the organisation's SOP administrators), a
403 page otherwise. The uploaded workbook is read in memory and never stored.
"""

import logging

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from workflows.permissions import AUTHOR_SOP
from workflows.uploads import UploadLimit, refusal_error

from .models import SopDefinition, SopVersion
from .workbook import WorkbookError, export_filename, export_workbook, import_workbook

logger = logging.getLogger("workflows.authored")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def officer_of(request):
    """The request's officer; 404 for a user without one (superusers included)."""
    from workflows.models import Officer

    officer = Officer.objects.filter(user=request.user).select_related("organisation").first()
    if officer is None:
        raise Http404
    return officer


def xlsx_response(data, filename):
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("Workbook SOP (.xlsx)"),
        help_text=gettext_lazy(
            "Sheet Identitas (kunci dan isi) dan sheet Prosedur dengan kolom No | Kegiatan | Pelaksana | "
            "Kelengkapan | Waktu | Output | Jenis | Kembali ke | Keterangan."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    publish = forms.BooleanField(label=gettext_lazy("Langsung terbitkan"), required=False)

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        message = refusal_error(upload)
        if message:
            raise forms.ValidationError(message)
        return upload


class ImportView(View):
    """sop-organisasi/impor/: a new SOP of the officer's organisation from a workbook."""

    template_name = "workflows/authored/import.html"
    max_upload_bytes = UploadLimit("SOPFLOW_SOP_WORKBOOK_MAX_MB")

    def dispatch(self, request, *args, **kwargs):
        self.officer = officer_of(request)
        if not request.user.has_perm(AUTHOR_SOP):
            message = _("Hanya administrator SOP organisasi yang dapat mengimpor SOP.")
            return render(request, "403.html", {"message": message}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, problems=()):
        return render(self.request, self.template_name, {"form": form, "problems": problems})

    def get(self, request):
        return self.render_form(ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        organisation = self.officer.organisation
        try:
            version = import_workbook(
                form.cleaned_data["workbook"], organisation, request.user, publish=form.cleaned_data["publish"]
            )
        except WorkbookError as error:
            logger.info("SOP workbook refused for organisation %s: %s problem(s)", organisation.pk, len(error.problems))
            return self.render_form(form, error.problems)
        definition = version.definition
        logger.info("SOP workbook imported for organisation %s: %s (%s)", organisation.pk, definition.code, version.status)
        if version.is_published:
            messages.success(request, _("SOP %(code)s versi %(number)s diterbitkan.")
                             % {"code": definition.code, "number": version.number})
        else:
            messages.success(request, _("SOP %(code)s disimpan sebagai draf.") % {"code": definition.code})
        return redirect("authored_detail", pk=definition.pk)


class AuthoredExportView(View):
    """sop-organisasi/<pk>/ekspor.xlsx[?versi=N]: a version (default: latest published, else the draft)."""

    def get(self, request, pk):
        officer = officer_of(request)
        definition = get_object_or_404(SopDefinition, pk=pk, organisation=officer.organisation)
        number = request.GET.get("versi")
        if number:
            if not number.isdigit():
                raise Http404
            version = get_object_or_404(SopVersion, definition=definition, status=SopVersion.PUBLISHED, number=int(number))
        else:
            version = definition.latest_published() or definition.draft()
            if version is None:
                raise Http404
        sop = version.as_sop()
        return xlsx_response(export_workbook(sop), export_filename(definition.code, version.number))


class BuiltinExportView(View):
    """sop-bawaan/<code>/ekspor.xlsx: a built-in SOP in the same layout."""

    def get(self, request, code):
        from workflows.catalogue import SOPS

        officer_of(request)
        sop = SOPS.get(code.upper())
        if sop is None:
            raise Http404
        return xlsx_response(export_workbook(sop), export_filename(sop.code))
