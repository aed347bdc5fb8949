"""Steps are keyed by their node name: the rows that named a step only by its position number
(dispositions, audit events, time-standard overrides) get the key, filled from the number as the
SOPs numbered their steps when this migration was written. The number stays, for display."""

from django.db import migrations, models

# SOP code -> {step number: node name}, frozen: a later renumbering must not change old rows.
NODES = {
    "A": {1: "start", 2: "form_team", 3: "process_data", 4: "correct", 5: "validate", 6: "approve",
          7: "receive", 8: "print_distribute", 9: "backup"},
    "B": {1: "start", 2: "instruct_staff", 3: "fill_list", 4: "count", 5: "evaluate", 6: "lakip", 7: "check"},
}


def fill_nodes(apps, schema_editor):
    for code, nodes in NODES.items():
        for number, node in nodes.items():
            apps.get_model("workflows", "Instruction").objects.filter(
                process__sop=code, step_number=number
            ).update(node=node)
            apps.get_model("workflows", "AuditEvent").objects.filter(
                process__sop=code, step_number=number
            ).update(node=node)
            apps.get_model("workflows", "WaktuOverride").objects.filter(sop=code, step_number=number).update(node=node)


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0007_flow_refs_to_sop_packages"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="node",
            field=models.CharField(default="", editable=False, max_length=50),
        ),
        migrations.AddField(
            model_name="instruction",
            name="node",
            field=models.CharField(default="", max_length=50),
        ),
        migrations.AddField(
            model_name="waktuoverride",
            name="node",
            field=models.CharField(default="", editable=False, max_length=50),
        ),
        migrations.RunPython(fill_nodes, migrations.RunPython.noop),
    ]
