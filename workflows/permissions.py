"""Role-based permissions, scoped to the officer's organisation.

Officers hold SOP roles inside one organisation (OfficerRole). This backend turns those rows
into permission strings that viewflow understands, so viewflow's own queue query
(`owner_permission IN user.get_all_permissions()`) already keeps organisations apart:

- ``workflows.role_<role>``: holds the role (used by start nodes, which have no process yet);
- ``workflows.org<id>.<role>``: holds the role in organisation <id> (stamped on each task);
- ``workflows.assignee_p<process id>``: named in the process's SK Tim or staff disposition;
- ``workflows.view_<process model>``: may open the SOP apps (rows stay scoped by organisation);
- ``workflows.manage_<process model>``: supervisors (cancel, release others' tasks).
"""

from django.contrib.auth.backends import BaseBackend

from .roles import SUPERVISOR_ROLES

PROCESS_MODELS = ("populationprocess", "utilizationprocess")


def role_permission(role):
    return f"workflows.role_{role}"


def org_role_permission(organisation_id, role):
    return f"workflows.org{organisation_id}.{role}"


def assignee_permission(process_id):
    return f"workflows.assignee_p{process_id}"


def task_role_permission(role):
    """Permission callable for a flow node: the role within the process's organisation."""

    def permission(activation):
        return org_role_permission(activation.process.organisation_id, role)

    return permission


def task_assignee_permission(activation):
    """Permission callable for a flow node: only the officers named for this process."""
    return assignee_permission(activation.process.pk)


class RoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_sopflow_perm_cache"):
            user_obj._sopflow_perm_cache = self._compute(user_obj)
        return user_obj._sopflow_perm_cache

    def _compute(self, user):
        from .models import Instruction, Officer, TeamDecree

        officer = Officer.objects.filter(user=user).prefetch_related("roles").first()
        if officer is None:
            return set()
        roles = officer.role_codes
        perms = {f"workflows.view_{model}" for model in PROCESS_MODELS}
        for role in roles:
            perms.add(role_permission(role))
            perms.add(org_role_permission(officer.organisation_id, role))
        if roles & SUPERVISOR_ROLES:
            perms.update(f"workflows.manage_{model}" for model in PROCESS_MODELS)
        process_ids = set(
            TeamDecree.objects.filter(members=user).values_list("process_id", flat=True)
        ) | set(Instruction.objects.filter(assignees=user).values_list("process_id", flat=True))
        perms.update(assignee_permission(pk) for pk in process_ids)
        return perms

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
