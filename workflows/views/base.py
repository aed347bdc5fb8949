"""Shared machinery of the SOP task pages: SOP header, history, return notes, audit."""

from functools import update_wrapper

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import generic
from viewflow.workflow.flow import utils as flow_utils
from viewflow.workflow.flow.views.mixins import TaskSuccessUrlMixin
from viewflow.workflow.status import STATUS

from ..models import AuditEvent, Instruction, Reassignment, Review
from ..stored_files import file_scope


def returned_by(task):
    """The Review that sent this task back, when the task was reopened by a return.

    A reopened task's predecessor is the If gate, whose predecessor is the review task that
    decided "return"; any other predecessor chain finds no returning review.
    """
    if not task.pk:
        return None
    return (
        Review.objects.filter(task__leading__leading=task, decision=Review.RETURN)
        .select_related("author")
        .first()
    )


def record_instruction(activation, author, text, assignees=()):
    """A disposition given at the activation's step (steps 1 and 7 of SOP A, 1 and 2 of SOP B)."""
    step = activation.process.catalogue.step_for_task(activation.task)
    instruction = Instruction.objects.create(
        process=activation.process, task=activation.task, node=step.node, step_number=step.number, text=text,
        author=author,
    )
    if assignees:
        instruction.assignees.set(assignees)
    return instruction


def process_history(process):
    return process.audit_events.select_related("actor").order_by("created", "pk")


def step_view(flow_task, view):
    """viewflow's execute view for ``flow_task``, with a preparation phase for POSTs.

    When the step's view class defines ``prepare()``, it runs first, outside any database
    transaction, for the officer who holds the task: the heavy, slow part of the step (store and
    check an upload, sign a PDF, write an archive) never holds the database's write lock. Its
    result is ``request.prepared``; the view then records it inside viewflow's lock and
    transaction. Files written by either phase are kept only if the step commits.
    """
    inner = flow_utils.wrap_view(flow_task, view)
    view_class = getattr(view, "view_class", None)

    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return inner(request, *args, **kwargs)
        with file_scope() as scope:
            request.file_scope = scope
            request.prepared = None
            if hasattr(view_class, "prepare"):
                task = flow_task.flow_class.task_class._default_manager.filter(
                    pk=kwargs.get("task_pk"), process_id=kwargs.get("process_pk")
                ).first()
                if (
                    task is not None
                    and task.flow_task is flow_task
                    and task.status in (STATUS.ASSIGNED, STATUS.STARTED)
                    and flow_task.can_execute(request.user, task)
                ):
                    step = view_class(**view.view_initkwargs)
                    step.setup(request, *args, **kwargs)
                    request.activation = flow_task.activation_class(task)
                    request.prepared = step.prepare()
            return inner(request, *args, **kwargs)

    update_wrapper(wrapped, inner)
    return wrapped


class SopPageMixin:
    """Context every task page shows: the step's Mutu Baku, the history and return notes."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activation = self.request.activation
        process = activation.process
        if process.pk is None:
            # A start form: the process does not exist yet.
            sop = self.sop
            history = []
        else:
            sop = process.catalogue
            history = process_history(process)
        context.update(
            sop=sop,
            instruction=process.instructions.select_related("author").order_by("-created").first() if process.pk else None,
            step=sop.step_for_task(activation.task),
            history=history,
            returned=returned_by(activation.task) if activation.task.pk else None,
            # Why the task came to its holder when a supervisor, a colleague or an absence gave it.
            reassigned=Reassignment.latest_to(activation.task),
            process=process,
            task=activation.task,
        )
        return context


class StepView(SopPageMixin, TaskSuccessUrlMixin, generic.FormView):
    """A human step: validate the form, record the step's output, complete the task.

    Subclasses implement ``perform(form)``; it runs inside the flow lock and transaction that
    viewflow holds for the POST, so a failure leaves the task open and nothing half-written.
    """

    template_name = "workflows/task.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(self.extra_form_kwargs())
        return kwargs

    def extra_form_kwargs(self):
        return {}

    @property
    def process(self):
        return self.request.activation.process

    @property
    def task(self):
        return self.request.activation.task

    def perform(self, form):
        raise NotImplementedError

    def audit_action(self, form):
        decision = form.cleaned_data.get("decision")
        return AuditEvent.Action.RETURN if decision == Review.RETURN else AuditEvent.Action.COMPLETE

    def audit_detail(self, form):
        decision = form.cleaned_data.get("decision")
        if decision == Review.RETURN:
            return form.cleaned_data.get("notes", "")
        if decision == Review.APPROVE:
            label = dict(form.fields["decision"].choices)[decision]
            notes = form.cleaned_data.get("notes", "")
            return f"{label}. {notes}".strip() if notes else str(label)
        return ""

    def complete(self, form):
        """The step once its form is valid: record its output, audit it, finish the task, and
        return the success message. The page's POST and the API's ``complete`` both end here,
        inside the flow lock and transaction their callers hold."""
        self.perform(form)
        with translation.override("id"):  # the audit trail is the office's record: Indonesian
            detail = self.audit_detail(form)
        AuditEvent.record(
            self.audit_action(form),
            actor=self.request.user,
            process=self.process,
            task=self.task,
            detail=detail,
        )
        self.request.activation.execute()
        return self.success_text()

    def form_valid(self, form):
        messages.success(self.request, self.complete(form))
        return HttpResponseRedirect(self.get_success_url())

    def success_text(self):
        return _("Langkah %(number)s (%(title)s) selesai.") % {
            "number": self.step_number,
            "title": self.process.catalogue.step_for_task(self.task).title,
        }

    @property
    def step_number(self):
        return self.process.catalogue.step_for_task(self.task).number


class ReviewStepView(StepView):
    """Approve, or return one step back with notes. The flow's If gate reads the Review."""

    def perform(self, form):
        self.record_review(form)

    def record_review(self, form):
        return Review.objects.create(
            process=self.process,
            task=self.task,
            node=self.process.catalogue.step_for_task(self.task).node,
            step_number=self.step_number,
            decision=form.cleaned_data["decision"],
            notes=form.cleaned_data.get("notes", ""),
            author=self.request.user,
        )


class StartView(SopPageMixin, TaskSuccessUrlMixin, generic.FormView):
    """Step 1 of an SOP: creates the process for the officer's organisation and period."""

    template_name = "workflows/task.html"
    sop = None

    def dispatch(self, request, *args, **kwargs):
        if not hasattr(request.user, "officer"):
            # Administrators without an organisation cannot own a process.
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisation"] = self.request.user.officer.organisation
        return kwargs

    def fill_process(self, process, form):
        raise NotImplementedError

    def after_start(self, form):
        """Step 1's output: the disposition that starts the SOP."""
        record_instruction(self.request.activation, self.request.user, form.cleaned_data["text"])

    def form_valid(self, form):
        from django.db import IntegrityError

        activation = self.request.activation
        process = activation.process
        process.organisation = self.request.user.officer.organisation
        self.fill_process(process, form)
        try:
            # A savepoint: when a concurrent start won the period, the outer transaction
            # stays usable and the form is shown again with the message.
            with transaction.atomic():
                activation.execute()
        except IntegrityError:
            form.add_error(
                None,
                _("Proses untuk periode ini baru saja dibuat oleh pengguna lain. Muat ulang halaman."),
            )
            return self.form_invalid(form)
        self.after_start(form)
        AuditEvent.record(AuditEvent.Action.START, actor=self.request.user, process=process, task=activation.task)
        messages.success(
            self.request, _("Proses #%(pk)s %(brief)s dimulai.") % {"pk": process.pk, "brief": process.brief}
        )
        return HttpResponseRedirect(self.get_success_url())
