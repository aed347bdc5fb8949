from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task

from .process import SopProcess


class Instruction(models.Model):
    """A disposition (arahan/petunjuk) given at a step, optionally naming who must act on it."""

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="instructions")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="+")
    # The step's stable key (its node name); the number is kept for display as the SOP reads.
    node = models.CharField(max_length=50, default="")
    step_number = models.PositiveSmallIntegerField()
    text = models.TextField(_("isi disposisi"))
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]


class Review(models.Model):
    """One reviewer's decision on one task. Returns are counted from these rows."""

    APPROVE = "approve"
    RETURN = "return"
    DECISIONS = [(APPROVE, _("Setujui")), (RETURN, _("Kembalikan untuk diperbaiki"))]

    process = models.ForeignKey(SopProcess, on_delete=models.CASCADE, related_name="reviews")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="+")
    node = models.CharField(max_length=50)
    step_number = models.PositiveSmallIntegerField()
    decision = models.CharField(_("keputusan"), max_length=10, choices=DECISIONS)
    notes = models.TextField(_("catatan"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]

    @property
    def is_return(self):
        return self.decision == self.RETURN
