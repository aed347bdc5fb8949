"""No step runs through another step's URL (issue 8, point 9: "node swap").

viewflow's task views load the task by its pk and check only that the user may act on it, not
that the URL's node is the task's node: the Kasi holding her step-4 task could post the Kabid's
SK form or the ADB's backup form with it, the Kadis could "approve" step 6 through the step-4
form without signing. For every ordered pair of distinct human steps (X, Y) of both SOPs,
generated from the flows, the officer holding a real open task at X tries every task URL of Y
(execute, assign, unassign, detail, index, cancel, undo, revive: all of Y's, read from the URL
resolver) with X's task, by GET and by POST with Y's own plausible form body: each answers 404
and nothing changes. Gates, the end node and the start node are probed the same way.
"""

from django.urls import resolve

from workflows.sops.population.flow import PopulationFlow
from workflows.sops.utilization.flow import UtilizationFlow

from .authorisation import drive_population, drive_utilization, human_nodes, snapshot, step_bodies, task_urls
from .conftest import client_for, task_url
from .test_access import POPULATION_STEPS, UTILIZATION_STEPS


class NodeSwapProbe:
    def __init__(self, flow_class, bodies):
        self.flow_class = flow_class
        self.bodies = bodies
        self.pairs = set()
        self.requests = 0

    def __call__(self, process, task, owner):
        own = task.flow_task
        client = client_for(owner)
        # The probe is meaningful: the owner reaches the task through its own node.
        assert client.get(task_url(process, task, "execute")).status_code == 200, own.name
        for node in self.flow_class.instance.nodes():
            if node.name == own.name:
                continue
            urls = task_urls(process, node, task)
            if not urls:
                continue
            before = snapshot(process)
            for action, url in urls:
                assert resolve(url).url_name.extra["node"] is node, url
                body = self.bodies.get(node.name, {}) if action == "execute" else {}
                get = client.get(url)
                post = client.post(url, body)
                self.requests += 2
                assert (get.status_code, post.status_code) == (404, 404), (
                    f"{owner.username} holding {own.name} #{task.pk}: {url} answered "
                    f"GET {get.status_code}, POST {post.status_code}"
                )
            assert snapshot(process) == before, f"{own.name} via {node.name}: something changed"
            self.pairs.add((own.name, node.name))

    def assert_every_pair_probed(self):
        names = [node.name for node in human_nodes(self.flow_class)]
        expected = {(x, y) for x in names for y in names if x != y}
        assert expected <= self.pairs, sorted(expected - self.pairs)


def probe_scheduled_first_step(probe, org, sop, period_type, node, owner):
    """Step 1 of a process a schedule started is a task of its own node: probed the same way."""
    from workflows.models import SopSchedule

    from .authorisation import claim
    from .conftest import open_task

    schedule = SopSchedule.objects.create(organisation=org.organisation, sop=sop, period_type=period_type)
    process = schedule.start_process(2024, 2)
    probe(process, claim(process, open_task(process, node), owner), owner)


def test_no_sop_a_step_runs_through_another_steps_url(bengkulu, dkb_file):
    probe = NodeSwapProbe(PopulationFlow, step_bodies(bengkulu, dkb_file, POPULATION_STEPS))
    process = drive_population(bengkulu, dkb_file, visit=probe)
    probe_scheduled_first_step(probe, bengkulu, "A", "semester", "scheduled_order", bengkulu["kadis"])
    probe.assert_every_pair_probed()
    # Undisturbed by the probes, the process ran to its end through its own URLs.
    assert process.status == "DONE"
    assert process.signed_documents.count() == 1 and process.backups.count() == 1


def test_no_sop_b_step_runs_through_another_steps_url(sumbar):
    probe = NodeSwapProbe(UtilizationFlow, step_bodies(sumbar, None, UTILIZATION_STEPS))
    process = drive_utilization(sumbar, visit=probe)
    probe_scheduled_first_step(probe, sumbar, "B", "triwulan", "scheduled_disposition", sumbar["kabid"])
    probe.assert_every_pair_probed()
    assert process.status == "DONE"


def test_a_task_url_of_the_other_sop_answers_404(bengkulu, sumbar):
    """The flow must match too: a SOP A task or process addressed under /utilization/."""
    from .conftest import open_task, start_population

    process = start_population(bengkulu["kadis"])
    task = open_task(process, "form_team")
    client = client_for(bengkulu["kabid"])
    assert client.post(task_url(process, task, "assign")).status_code == 302
    for url in (
        f"/utilization/{process.pk}/instruct_staff/{task.pk}/execute/",
        f"/utilization/{process.pk}/instruct_staff/{task.pk}/detail/",
        f"/utilization/{process.pk}/",
        f"/utilization/{process.pk}/chart/",
        f"/utilization/{process.pk}/cancel/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"text": "Isi.", "staff": []}).status_code == 404, url
