"""Stored rows refer to a step by its key (the node name), and the move of the flows into the SOP
packages carries the stored flow paths along (migrations 0007 and 0008)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workflows.models import AuditEvent, Instruction, SopProcess, WaktuOverride
from workflows.sla import waktu_by_node, waktu_table
from workflows.sops.population.flow import PopulationFlow
from workflows.sops.utilization.definition import SOP_B

from .conftest import open_task, start_population

BEFORE = [("workflows", "0006_untimed_start_steps")]
AFTER = [("workflows", "0008_step_keys")]


@pytest.mark.django_db(transaction=True)
def test_migrations_move_stored_flow_paths_and_fill_step_keys_from_numbers():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organisation = old.get_model("workflows", "Organisation").objects.create(
        name="Dinas Lama", short_name="DL", province_code="17", province_name="Bengkulu"
    )
    user = old.get_model("auth", "User").objects.create(username="lama")
    process = old.get_model("workflows", "SopProcess").objects.create(
        flow_class="workflows/flows.population.PopulationFlow", organisation=organisation, sop="A",
        year=2025, period_type="semester", period_number=1, status="NEW",
    )
    task = old.get_model("viewflow", "Task").objects.create(
        process_id=process.pk, flow_task="workflows/flows.population.PopulationFlow.form_team",
        flow_task_type="HUMAN", status="NEW",
    )
    old.get_model("workflows", "Instruction").objects.create(
        process_id=process.pk, task_id=task.pk, step_number=2, text="Bentuk tim.", author=user
    )
    old.get_model("workflows", "AuditEvent").objects.create(
        action="assign", actor=user, process_id=process.pk, task_id=task.pk, step_number=2
    )
    old.get_model("workflows", "WaktuOverride").objects.create(
        organisation=organisation, sop="B", step_number=3, amount=1, unit="hari"
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = SopProcess.objects.get(pk=process.pk)
    assert migrated.flow_class is PopulationFlow
    assert migrated.task_set.get().flow_task is PopulationFlow.form_team
    assert Instruction.objects.get(process_id=process.pk).node == "form_team"
    assert AuditEvent.objects.get(process_id=process.pk).node == "form_team"
    assert WaktuOverride.objects.get(organisation_id=organisation.pk).node == "fill_list"


def test_new_rows_carry_the_step_key(bengkulu):
    process = start_population(bengkulu["kadis"])
    instruction = Instruction.objects.get(process=process)
    assert (instruction.node, instruction.step_number) == ("start", 1)
    open_task(process, "form_team")
    assert AuditEvent.objects.filter(process=process, node="start").exists()


def test_a_time_standard_override_is_found_by_its_step_key_not_its_number(sumbar):
    override = WaktuOverride.objects.create(
        organisation=sumbar.organisation, sop=SOP_B.code, step_number=3, amount=4, unit="jam"
    )
    assert override.node == "fill_list"
    # A row whose number no longer matches its step (as after a renumbering) still applies to
    # its step, found by the key.
    WaktuOverride.objects.filter(pk=override.pk).update(step_number=9)
    assert waktu_by_node(sumbar.organisation.pk, SOP_B.code)["fill_list"] == (4, "jam")
    assert waktu_table(sumbar.organisation.pk, SOP_B.code)[3] == (4, "jam")
