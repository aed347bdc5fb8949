from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from . import views
from .definition import SOP_A
from .models import PopulationProcess

from workflows.flows.nodes import StartBySchedule, SopEnd, SopIf, approved, first_step_data, start_step, step


class PopulationFlow(flow.Flow):
    """Pengolahan dan Penyajian Data Kependudukan"""

    process_class = PopulationProcess
    lock_impl = lock.select_for_update_lock
    sop = SOP_A
    process_title = _("SOP A · Pengolahan dan Penyajian Data Kependudukan")

    start = start_step(SOP_A, views.StartPopulationView).Next(this.form_team)
    # The semester a schedule starts (workflows/models/schedule.py): step 1 waits in the Kadis's queue.
    scheduled_start = StartBySchedule().Next(this.scheduled_order, task_data=first_step_data)
    scheduled_order = step(SOP_A, 1, views.ScheduledOrderView).Next(this.form_team)
    form_team = step(SOP_A, 2, views.FormTeamView).Next(this.process_data)
    process_data = (
        step(SOP_A, 3, views.ProcessDataView, named_only=True)
        .Assign(this.process_data.owner)  # after a return: back to the member who uploaded
        .Next(this.correct)
    )
    correct = step(SOP_A, 4, views.CorrectView).Assign(this.correct.owner).Next(this.correct_ok)
    correct_ok = SopIf(approved("correct")).Then(this.validate).Else(this.process_data)
    validate = step(SOP_A, 5, views.ValidateView).Assign(this.validate.owner).Next(this.validate_ok)
    validate_ok = SopIf(approved("validate")).Then(this.approve).Else(this.correct)
    approve = step(SOP_A, 6, views.ApproveView).Next(this.approve_ok)
    approve_ok = SopIf(approved("approve")).Then(this.receive).Else(this.validate)
    receive = step(SOP_A, 7, views.ReceiveView).Next(this.print_distribute)
    print_distribute = step(SOP_A, 8, views.PrintDistributeView).Next(this.backup)
    backup = step(SOP_A, 9, views.BackupView).Next(this.end)
    end = SopEnd()
