"""Step 1 clocks recorded before steps were stored untimed: clear their working time and verdict.

Step 1 of both SOPs is the start form, created and finished by one POST, so the stored 0 seconds
and "on time" measured nothing; ``sla.start_clock`` now stores it untimed, and the dashboard
leaves untimed rows out of on-time shares, medians, percentiles, trend and officer figures.
"""

from django.db import migrations


def untime_start_steps(apps, schema_editor):
    TaskSla = apps.get_model("workflows", "TaskSla")
    TaskSla.objects.filter(node="start", cancelled=False).update(elapsed_seconds=None, on_time=None)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0005_org_admin_and_manage_audit")]

    # Going back leaves the rows untimed: the former zero was never a measurement.
    operations = [migrations.RunPython(untime_start_steps, migrations.RunPython.noop)]
