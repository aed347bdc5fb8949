"""Claiming a task and completing a step through the API: the page's own code, under its lock.

The web pages run a step inside viewflow's ``flow_class.lock(process)`` and a transaction, after
``can_execute`` and the task's transition checks; a refusal that is a lost race answers 409 with
``conflict_message``, a Plh outside routine authority 403 with ``routine_refusal``. Here the same
checks run under the same lock, and the step's own view class builds its form from the JSON body
and records it through ``StepView.complete`` (claim: ``claim_task``), so rules, audit and
messages cannot drift apart. A step that uploads a file or signs stays in the browser: 409.
"""

from django import forms
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework import exceptions
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed

from ..catalogue import step_of_task
from ..middleware import conflict_message
from ..models.acting import routine_refusal
from ..views.actions import claim_task
from .errors import Conflict

# The kinds of step the API may complete: an instruction, or a review with a note.
API_KINDS = ("perintah", "pemeriksaan")


def refuse(task, user, action):
    """The page's answer to a refused claim or step: 409 for a lost race, else 403 (with the
    reason for a Plh outside routine authority)."""
    task.refresh_from_db()
    message = conflict_message(task, user, action)
    if message:
        raise Conflict(message)
    reason = routine_refusal(user, task)
    raise exceptions.PermissionDenied(reason or _("Anda tidak berwenang mengerjakan tugas ini."))


class locked:
    """viewflow's lock of the task's process and a transaction, as the page's POST holds them.
    A lock not obtained in time (PostgreSQL: someone else is updating the process) is a 409 with
    the page's message; nothing was changed."""

    def __init__(self, task):
        self.lock = task.flow_task.flow_class.lock(task.process_id)
        self.atomic = transaction.atomic()

    def __enter__(self):
        try:
            self.lock.__enter__()
        except FlowLockFailed as error:
            raise Conflict(_("Proses ini sedang diperbarui oleh pengguna lain. Tunggu sebentar lalu coba lagi; "
                             "isian Anda belum tersimpan.")) from error
        try:
            self.atomic.__enter__()
        except BaseException:
            self.lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info):
        try:
            self.atomic.__exit__(*exc_info)
        finally:
            self.lock.__exit__(*exc_info)
        return False


def fresh(task):
    flow_class = task.flow_task.flow_class
    return flow_class.task_class._default_manager.select_related("process", "owner").get(pk=task.pk)


def claim(task, user):
    with locked(task):
        task = fresh(task)
        activation = task.flow_task.activation_class(task)
        if not (activation.assign.can_proceed() and activation.assign.has_perm(user)):
            refuse(task, user, "assign")
        try:
            claim_task(activation, user)
        except TransitionNotAllowed:
            refuse(task, user, "assign")
    return task


def view_class_of(task):
    view = task.flow_task.view
    return view.view_class, view.view_initkwargs


def browser_only_reason(task, step, form):
    """Why this step cannot be completed through the API, or None."""
    needs_file = any(isinstance(field, forms.FileField) for field in form.fields.values())
    needs_secret = any(isinstance(field.widget, forms.PasswordInput) for field in form.fields.values())
    if step is None or step.kind not in API_KINDS or needs_file or needs_secret:
        title = step.title if step is not None else task.flow_task.task_title
        number = step.number if step is not None else "?"
        return _(
            "Langkah %(number)s (%(title)s) harus dikerjakan di peramban: langkah ini memerlukan berkas, "
            "tanda tangan elektronik atau isian yang tidak tersedia lewat API."
        ) % {"number": number, "title": title}
    return None


def step_request(api_request, data):
    """The POST the page would receive, built from the API's JSON body."""
    request = HttpRequest()
    request.method = "POST"
    request.user = api_request.user
    request.META = {key: value for key, value in api_request.META.items() if isinstance(value, str)}
    post = QueryDict(mutable=True)
    for key, value in (data or {}).items():
        values = value if isinstance(value, list) else [value]
        post.setlist(key, ["" if item is None else str(item) for item in values])
    request.POST = post
    request.FILES = MultiValueDict()
    return request


def step_view(task, request):
    view_class, initkwargs = view_class_of(task)
    view = view_class(**initkwargs)
    view.setup(request, process_pk=task.process_id, task_pk=task.pk)
    return view


def describe_form(task, user):
    """The fields the step's form asks for, and whether the API can complete it (for a GET)."""
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    request.activation = task.flow_task.activation_class(task)
    view = step_view(task, request)
    form = view.get_form()
    step = step_of_task(task, task.process.sopprocess)
    fields = []
    for name, field in form.fields.items():
        entry = {"name": name, "label": str(field.label or name), "required": field.required,
                 "type": type(field).__name__}
        choices = getattr(field, "choices", None)
        if choices is not None and not isinstance(field, forms.FileField):
            entry["choices"] = [{"value": str(value), "label": str(label)} for value, label in choices if value != ""]
        if field.help_text:
            entry["help_text"] = str(field.help_text)
        fields.append(entry)
    return {"fields": fields, "browser_only": browser_only_reason(task, step, form)}


def complete(task, api_request, data):
    """Complete the step with ``data`` (its form's fields) as the page's POST would; returns the
    page's success message."""
    user = api_request.user
    with locked(task):
        task = fresh(task)
        flow_task = task.flow_task
        if not flow_task.can_execute(user, task):
            refuse(task, user, "execute")
        request = step_request(api_request, data)
        activation = flow_task.activation_class(task)
        request.activation = activation
        view = step_view(task, request)
        form = view.get_form()
        reason = browser_only_reason(task, step_of_task(task, activation.process), form)
        if reason:
            raise Conflict(reason)
        try:
            activation.start(request)
        except TransitionNotAllowed:
            refuse(task, user, "execute")
        if not form.is_valid():
            # Raised inside the transaction: the task goes back to its status, nothing is kept.
            raise exceptions.ValidationError(form.errors.get_json_data())
        return view.complete(form)
