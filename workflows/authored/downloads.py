"""Files attached at the steps of authored SOPs: audited downloads, scoped to the organisation."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from workflows.views.documents import stream_file

from .models import StepAttachment


class AttachmentDownloadView(View):
    def get(self, request, process_pk, attachment_pk):
        # The scope middleware has checked that the process is of the user's organisation.
        attachment = get_object_or_404(
            StepAttachment.objects.select_related("record__process"), pk=attachment_pk, record__process_id=process_pk
        )
        return stream_file(
            request, attachment.record.process, attachment.file, attachment.original_name,
            _("berkas langkah %(number)s: %(name)s") % {"number": attachment.record.step_number,
                                                        "name": attachment.original_name},
        )
