"""The flows moved into one package per SOP: viewflow stores each process's flow and each
task's node as an import path ("workflows/flows.population.PopulationFlow.form_team"), so the
stored paths follow the move. Nothing else changes: same tables, same rows."""

from django.db import migrations

MOVES = [
    ("workflows/flows.population.", "workflows/sops.population.flow."),
    ("workflows/flows.utilization.", "workflows/sops.utilization.flow."),
]
COLUMNS = [("viewflow_process", "flow_class"), ("viewflow_task", "flow_task")]


def rewrite(schema_editor, moves):
    for table, column in COLUMNS:
        for old, new in moves:
            table_q = schema_editor.quote_name(table)
            column_q = schema_editor.quote_name(column)
            schema_editor.execute(
                f"UPDATE {table_q} SET {column_q} = %s || SUBSTR({column_q}, %s) WHERE {column_q} LIKE %s",
                [new, len(old) + 1, old + "%"],
            )


def forwards(apps, schema_editor):
    rewrite(schema_editor, MOVES)


def backwards(apps, schema_editor):
    rewrite(schema_editor, [(new, old) for old, new in MOVES])


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0006_untimed_start_steps"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
