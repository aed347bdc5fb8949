"""Role-based permissions, scoped to the officer's organisation.

Officers hold positions inside one organisation (OfficerRole rows naming a Position): the seven
built-in ones, one per SOP role, and any the organisation added. This backend turns those rows
into permission strings that viewflow understands, so viewflow's own queue query
(`owner_permission IN user.get_all_permissions()`) already keeps organisations apart. A
position is named by its code; a built-in position's code is its role's value, so "the role"
and "the built-in position" are one permission:

- ``workflows.role_<code>``: holds the position (used by start nodes, which have no process yet);
- ``workflows.org<id>.<code>``: holds the position in organisation <id> (stamped on each task);
- ``workflows.assignee_p<process id>``: named in the process's SK Tim or staff disposition;
- ``workflows.view_<process model>``: may open the SOP apps (rows stay scoped by organisation);
- acting officers (Plh/Plt, ``ActingAppointment``) hold the two strings above of the position
  they stand in for, on the days their appointment covers in the organisation's time zone;
- ``workflows.supervise``: supervisors (Kadis, Kabid, Kasi): release other officers' tasks in
  their organisation, read the time-performance dashboard;
- ``workflows.author_sop``: the organisation's SOP administrators (``Officer.is_sop_admin``):
  write, import, publish and retire the organisation's own SOPs;
- ``workflows.manage_<process model>``: viewflow's manage permission, held only by the
  organisation's administrators (``Officer.is_org_admin``): cancel tasks and processes, undo
  finished tasks, revive cancelled ones. Every such action is audited, and refused on a sealed
  process (see ``sealed_reason``).

URLs that name a process or task are scoped to the user's organisation (and to the task's own
node) by ``workflows.middleware.OrganisationScopeMiddleware``, so model-wide permissions here
never reach another organisation's rows.
"""

from django.contrib.auth.backends import BaseBackend
from django.utils.translation import gettext as _

from .catalogue import PACKAGES
from .roles import SUPERVISOR_ROLES

PROCESS_MODELS = tuple(sop.process_model for sop in PACKAGES)
SUPERVISE = "workflows.supervise"
AUTHOR_SOP = "workflows.author_sop"


def role_permission(role):
    return f"workflows.role_{role}"


def org_role_permission(organisation_id, role):
    """Holding ``role`` (a built-in role, or any position's code) in the organisation."""
    return f"workflows.org{organisation_id}.{role}"


position_permission = org_role_permission


def parse_org_permission(permission):
    """(organisation id, position code) of a ``workflows.org<id>.<code>`` string, else None."""
    prefix = "workflows.org"
    if not permission.startswith(prefix):
        return None
    organisation, _dot, code = permission[len(prefix):].partition(".")
    if not organisation.isdigit() or not code:
        return None
    return int(organisation), code


def assignee_permission(process_id):
    return f"workflows.assignee_p{process_id}"


def task_role_permission(role):
    """Permission callable for a flow node: the role (or position code: a step's Pelaksana)
    within the process's organisation."""

    def permission(activation):
        return org_role_permission(activation.process.organisation_id, role)

    return permission


def task_assignee_permission(activation):
    """Permission callable for a flow node: only the officers named for this process."""
    return assignee_permission(activation.process.pk)


def can_release(user, task):
    """Whether ``user`` may release ``task`` held by someone else: a supervisor of the task's
    organisation, or whoever holds viewflow's manage permission (the organisation's admin)."""
    if task.flow_task.flow_class.instance.has_manage_permission(user):
        return True
    organisation_id = task.process.coerced.organisation_id
    return any(user.has_perm(org_role_permission(organisation_id, role)) for role in SUPERVISOR_ROLES)


def sealed_reason(process):
    """Why ``process`` can no longer be reopened or cancelled, or None.

    A signed report (SignedDocument) or an archive (the SOP's ``archived`` hook) stands for the process as it
    was finished: undoing, reviving or cancelling any of its tasks, or cancelling the process,
    would contradict it, and step 9 could never be done again over an existing archive.
    """
    from .catalogue import hook
    from .models import SignedDocument

    signed = SignedDocument.objects.filter(process_id=process.pk).exists()
    is_archived = hook(process.sop, "archived")
    archived = bool(is_archived and is_archived(process))
    if signed and archived:
        return _("Laporan proses ini sudah ditandatangani dan datanya sudah diarsipkan.")
    if signed:
        return _("Laporan proses ini sudah ditandatangani.")
    if archived:
        return _("Data proses ini sudah diarsipkan.")
    return None


class RoleBackend(BaseBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_sopflow_perm_cache"):
            user_obj._sopflow_perm_cache = self._compute(user_obj)
        return user_obj._sopflow_perm_cache

    def _compute(self, user):
        from .catalogue import hooks
        from django.db.models import Prefetch

        from .models import ActingAppointment, Instruction, Officer, OfficerRole
        from .models.acting import local_day

        holdings = Prefetch("roles", queryset=OfficerRole.objects.select_related("position"))
        officer = Officer.objects.filter(user=user).select_related("organisation").prefetch_related(holdings).first()
        if officer is None:
            return set()
        roles = officer.role_codes
        codes = set(roles)
        for holding in officer.roles.all():
            position = holding.position
            if position is not None and position.is_active and position.organisation_id == officer.organisation_id:
                codes.add(position.code)
        # Plh/Plt: the positions an appointment of the officer's own organisation covers today.
        acting = (
            ActingAppointment.objects.valid()
            .covering(local_day(officer.organisation))
            .filter(officer=officer, organisation_id=officer.organisation_id)
            .values_list("position__code", "position__role")
        )
        for code, role in acting:
            codes.add(code)
            if role:
                roles = roles | {role}
        perms = {f"workflows.view_{model}" for model in PROCESS_MODELS}
        for code in codes:
            perms.add(role_permission(code))
            perms.add(org_role_permission(officer.organisation_id, code))
        if roles & SUPERVISOR_ROLES:
            perms.add(SUPERVISE)
        if officer.is_sop_admin:
            perms.add(AUTHOR_SOP)
        if officer.is_org_admin:
            perms.update(f"workflows.manage_{model}" for model in PROCESS_MODELS)
        process_ids = set(Instruction.objects.filter(assignees=user).values_list("process_id", flat=True))
        for _sop, member_process_ids in hooks("member_process_ids"):
            process_ids |= member_process_ids(user)
        perms.update(assignee_permission(pk) for pk in process_ids)
        return perms

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)
