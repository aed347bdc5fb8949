"""The officer's notifications: the list with deep links and read marks, and the choices per kind."""

from django import forms
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .. import sla
from ..catalogue import sop_of
from ..models import Notification, NotificationPreference
from ..models.notification import Channel
from ..notifications import preference

LIST_LIMIT = 100


def _step_label(notice, prefixes):
    """"B3. Title": the SOP's short code and the step as the notice recorded it, in the reader's
    language when the recorded title is one of SOPFlow's own (a built-in SOP's step)."""
    title = _(notice.step_title) if notice.step_title else ""
    if notice.step_number is None:
        return title
    code = notice.process.sop if notice.process_id else ""
    if code not in prefixes:
        sop = sop_of(code) if code else None
        prefix = sop.short_code if sop else ""
        prefixes[code] = f"{prefix} " if sop is not None and sop.authored else prefix
    return f"{prefixes[code]}{notice.step_number}. {title}"


def _zone(notice):
    return notice.organisation.timezone if notice.organisation else "Asia/Jakarta"


class NotificationListView(TemplateView):
    """The officer's notifications (the kinds they want in the app), newest first; each row
    opens its task and marks itself read; one button marks them all read."""

    template_name = "workflows/sla/notifications.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notices = (
            Notification.objects.in_app()
            .filter(recipient=self.request.user)
            .select_related("process__organisation", "organisation")[:LIST_LIMIT]
        )
        prefixes = {}
        context["notices"] = [
            {
                "notice": notice,
                "title": _step_label(notice, prefixes),
                # The recorded moment in the organisation's zone, written in the reader's language.
                "due": sla.format_moment(notice.due, _zone(notice)) if notice.due else (notice.due_label or "—"),
                "created": sla.format_moment(notice.created, _zone(notice)),
            }
            for notice in notices
        ]
        context["unread"] = Notification.objects.unread().filter(recipient=self.request.user).count()
        return context

    def post(self, request, *args, **kwargs):
        notices = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
        if request.POST.get("notice"):
            notices = notices.filter(pk=request.POST["notice"]) if request.POST["notice"].isdigit() else notices.none()
        notices.update(read_at=timezone.now())
        return HttpResponseRedirect(request.path)


def open_notification(request, pk):
    """A notice's deep link from the list: marked read, then on to its task."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notice.read_at is None:
        Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    if not notice.link:
        raise Http404(_("Pemberitahuan ini tidak memiliki tautan."))
    return HttpResponseRedirect(notice.link)


class PreferenceForm(forms.Form):
    """One choice per kind of notification."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in Notification.Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Channel.choices,
                initial=preference(user, kind),
                error_messages={"invalid_choice": gettext_lazy("Pilih salah satu cara pemberitahuan yang tersedia.")},
            )


class PreferenceView(TemplateView):
    """Per kind: in the app, by e-mail, both, the daily digest at 07.30, or not at all."""

    template_name = "workflows/sla/notification_preferences.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", PreferenceForm(user=self.request.user))
        context["saved"] = self.request.GET.get("tersimpan") == "1"
        context["has_email"] = bool(self.request.user.email)
        return context

    def post(self, request, *args, **kwargs):
        form = PreferenceForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        for kind in Notification.Kind:
            NotificationPreference.objects.update_or_create(
                user=request.user, kind=kind.value, defaults={"channel": form.cleaned_data[kind.value]}
            )
        return HttpResponseRedirect(request.path + "?tersimpan=1")
