"""File fields shared by step forms: several files in one input, checked against a size limit."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..uploads import refusal_error


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def check_uploads(files, limit):
    """Refuse an empty file, or one past ``limit`` bytes (also when the upload handler stopped it
    while it streamed in); the message names the file."""
    for upload in files:
        if refusal_error(upload):
            raise forms.ValidationError(
                _("Berkas %(name)s terlalu besar (batas %(limit)s); berkas ini tidak disimpan.")
                % {"name": upload.name, "limit": filesizeformat(upload.limit)},
                code="too_large",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Berkas %(name)s kosong.") % {"name": upload.name})
        if upload.size > limit:
            raise forms.ValidationError(
                _("Berkas %(name)s terlalu besar (%(size)s); batasnya %(limit)s.")
                % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
    return files
