from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from . import views
from .definition import SOP_B
from .models import UtilizationProcess

from workflows.flows.nodes import StartBySchedule, SopEnd, SopIf, approved, first_step_data, start_step, step


class UtilizationFlow(flow.Flow):
    """Pengumpulan dan Penghitungan Data Kinerja Pemanfaatan Data Kependudukan"""

    process_class = UtilizationProcess
    lock_impl = lock.select_for_update_lock
    sop = SOP_B
    process_title = _("SOP B · Data Kinerja Pemanfaatan Data Kependudukan")

    start = start_step(SOP_B, views.StartUtilizationView).Next(this.instruct_staff)
    # The period a schedule starts (workflows/models/schedule.py): step 1 waits in the Kabid's queue.
    scheduled_start = StartBySchedule().Next(this.scheduled_disposition, task_data=first_step_data)
    scheduled_disposition = step(SOP_B, 1, views.ScheduledDispositionView).Next(this.instruct_staff)
    instruct_staff = step(SOP_B, 2, views.InstructStaffView).Next(this.fill_list)
    fill_list = (
        step(SOP_B, 3, views.FillListView, named_only=True)
        .Assign(this.fill_list.owner)  # after a return: back to the staff member who filled it
        .Next(this.count)
    )
    count = step(SOP_B, 4, views.CountView, named_only=True).Assign(this.fill_list.owner).Next(this.evaluate)
    evaluate = step(SOP_B, 5, views.EvaluateView).Assign(this.evaluate.owner).Next(this.evaluate_ok)
    evaluate_ok = SopIf(approved("evaluate")).Then(this.lakip).Else(this.fill_list)
    lakip = step(SOP_B, 6, views.LakipView).Assign(this.lakip.owner).Next(this.check)
    check = step(SOP_B, 7, views.CheckView).Next(this.check_ok)
    check_ok = SopIf(approved("check")).Then(this.end).Else(this.lakip)
    end = SopEnd()
