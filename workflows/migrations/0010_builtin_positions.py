"""Every existing organisation gets the seven built-in positions, and every OfficerRole row
points at its organisation's built-in position for its role. Reversing clears the links and
removes the positions (the schema migration before this one then drops the table)."""

from django.db import migrations

# Frozen copies of workflows.roles.Role and workflows.models.organisation.BUILTIN_PARENTS as
# they were when this migration was written.
BUILTIN = [
    ("kadis", "Kepala Dinas", None),
    ("sekretariat", "Sekretariat", "kadis"),
    ("kabid", "Kepala Bidang", "kadis"),
    ("kasi", "Kepala Seksi", "kabid"),
    ("tim", "Tim Pengolahan dan Penyajian Data", "kasi"),
    ("adb", "Administrator Database", "kasi"),
    ("staf", "Staf", "kasi"),
]


def forwards(apps, schema_editor):
    Organisation = apps.get_model("workflows", "Organisation")
    Position = apps.get_model("workflows", "Position")
    OfficerRole = apps.get_model("workflows", "OfficerRole")
    for organisation in Organisation.objects.all():
        by_role = {}
        for role, name, _parent in BUILTIN:
            by_role[role], _created = Position.objects.get_or_create(
                organisation=organisation, role=role, defaults={"name": name, "code": role}
            )
        for role, _name, parent in BUILTIN:
            if parent and by_role[role].parent_id is None:
                by_role[role].parent = by_role[parent]
                by_role[role].save(update_fields=["parent"])
        for holding in OfficerRole.objects.filter(officer__organisation=organisation, position__isnull=True):
            holding.position = by_role[holding.role]
            holding.save(update_fields=["position"])


def backwards(apps, schema_editor):
    Position = apps.get_model("workflows", "Position")
    OfficerRole = apps.get_model("workflows", "OfficerRole")
    # Holdings of an organisation's own positions have no role to fall back on.
    OfficerRole.objects.filter(role="").delete()
    OfficerRole.objects.update(position=None)
    Position.objects.update(parent=None)
    Position.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("workflows", "0009_positions")]

    operations = [migrations.RunPython(forwards, backwards)]
