"""Positions as data: an organisation adds its own positions beside the seven built-in ones,
officers hold them, and a step whose Pelaksana is such a position queues for its holders in
that organisation only."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from workflows.models import Officer, OfficerRole, Organisation, Position
from workflows.permissions import org_role_permission, task_role_permission
from workflows.roles import Role

from .conftest import client_for, open_task, start_population, task_url


def add_position(admin_client, organisation, name, code, parent=None):
    return admin_client.post("/admin/workflows/position/add/", {
        "organisation": organisation.pk, "name": name, "code": code, "parent": parent.pk if parent else "",
        "is_active": "on",
    })


def officer_holding(organisation, username, position):
    user = get_user_model().objects.create_user(username, password="pw", first_name="Operator")
    officer = Officer.objects.create(user=user, organisation=organisation)
    OfficerRole.objects.create(officer=officer, position=position)
    return user


def test_every_organisation_has_the_seven_builtin_positions_in_a_chain(db):
    organisation = Organisation.objects.create(
        name="Dinas Dukcapil Provinsi Jambi", short_name="DUKCAPIL-JAMBI", province_code="15", province_name="Jambi"
    )
    positions = {p.role: p for p in organisation.positions.all()}
    assert set(positions) == set(Role.values)
    assert all(p.code == p.role for p in positions.values())
    assert positions[Role.KASI].parent == positions[Role.KABID]
    assert positions[Role.KABID].parent == positions[Role.KADIS]
    assert positions[Role.KADIS].parent is None


def test_a_role_given_alone_holds_the_organisations_builtin_position(bengkulu, sumbar):
    holding = OfficerRole.objects.get(officer__user=bengkulu["kasi"])
    assert holding.position.organisation == bengkulu.organisation
    assert holding.position.role == Role.KASI
    assert holding.position != Position.objects.get(organisation=sumbar.organisation, role=Role.KASI)


def test_admin_adds_a_position_and_refuses_a_duplicate_name_in_indonesian(admin_client, bengkulu, sumbar):
    kasi = Position.objects.get(organisation=bengkulu.organisation, role=Role.KASI)
    response = add_position(admin_client, bengkulu.organisation, "Operator Layanan", "operator-layanan", kasi)
    assert response.status_code == 302
    operator = Position.objects.get(organisation=bengkulu.organisation, code="operator-layanan")
    assert operator.parent == kasi and operator.role == ""
    # The same name in another organisation is that organisation's own position.
    assert add_position(admin_client, sumbar.organisation, "Operator Layanan", "operator-layanan").status_code == 302
    page = add_position(admin_client, bengkulu.organisation, "Operator Layanan", "operator-2")
    assert page.status_code == 200
    assert "Organisasi ini sudah mempunyai jabatan dengan nama itu." in page.content.decode()
    page = add_position(admin_client, bengkulu.organisation, "Kepala Seksi Baru", "kasi")
    assert "Kode ini milik jabatan bawaan; pilih kode lain." in page.content.decode()
    sumbar_kadis = Position.objects.get(organisation=sumbar.organisation, role=Role.KADIS)
    page = add_position(admin_client, bengkulu.organisation, "Sekretaris Dinas", "sekdis", sumbar_kadis)
    assert "Jabatan atasan harus dari organisasi yang sama." in page.content.decode()
    assert Position.objects.filter(organisation=bengkulu.organisation, role="").count() == 1


def test_an_officer_cannot_hold_another_organisations_position(bengkulu, sumbar):
    foreign = Position.objects.create(organisation=sumbar.organisation, name="Operator Layanan", code="operator")
    holding = OfficerRole(officer=bengkulu["staf"].officer, position=foreign)
    with pytest.raises(ValidationError) as error:
        holding.full_clean()
    assert error.value.message_dict["position"] == ["Jabatan ini milik organisasi lain."]


def test_a_step_for_a_new_position_queues_for_its_holders_in_its_organisation_only(bengkulu, sumbar):
    mine = Position.objects.create(organisation=bengkulu.organisation, name="Operator Layanan", code="operator-layanan")
    theirs = Position.objects.create(organisation=sumbar.organisation, name="Operator Layanan", code="operator-layanan")
    operator = officer_holding(bengkulu.organisation, "bengkulu.operator", mine)
    other_operator = officer_holding(sumbar.organisation, "sumbar.operator", theirs)

    process = start_population(bengkulu["kadis"])
    task = open_task(process, "form_team")
    # The step's Pelaksana is the new position: what a flow node built with it stamps on the task.
    permission = task_role_permission("operator-layanan")(SimpleNamespace(process=process))
    assert permission == org_role_permission(bengkulu.organisation.pk, "operator-layanan")
    task.owner_permission = permission
    task.save(update_fields=["owner_permission"])

    marker = f"/population/{process.pk}/form_team/{task.pk}/"
    assert marker in client_for(operator).get("/population/queue/").content.decode()
    for user in (other_operator, bengkulu["kabid"], bengkulu["staf"]):
        assert marker not in client_for(user).get("/population/queue/").content.decode(), user.username
    assert client_for(other_operator).post(task_url(process, task, "assign")).status_code in (403, 404)
    assert client_for(bengkulu["kabid"]).post(task_url(process, task, "assign")).status_code == 403
    task.refresh_from_db()
    assert task.owner is None
    assert client_for(operator).post(task_url(process, task, "assign")).status_code == 302
    task.refresh_from_db()
    assert task.owner == operator


def test_an_inactive_position_grants_nothing(bengkulu):
    position = Position.objects.create(organisation=bengkulu.organisation, name="Operator Layanan", code="operator")
    operator = officer_holding(bengkulu.organisation, "bengkulu.operator", position)
    permission = org_role_permission(bengkulu.organisation.pk, "operator")
    assert operator.has_perm(permission)
    position.is_active = False
    position.save()
    operator = get_user_model().objects.get(pk=operator.pk)
    assert not operator.has_perm(permission)


def test_a_builtin_position_cannot_be_switched_off_or_recoded(bengkulu):
    kasi = Position.objects.get(organisation=bengkulu.organisation, role=Role.KASI)
    kasi.is_active = False
    kasi.code = "kepala-seksi"
    with pytest.raises(ValidationError) as error:
        kasi.full_clean()
    assert set(error.value.message_dict) == {"role", "is_active", "code"}


def test_admin_pages_list_an_organisations_positions_and_an_officers_holdings(admin_client, bengkulu, sumbar):
    Position.objects.create(organisation=bengkulu.organisation, name="Operator Layanan", code="operator-layanan")
    page = admin_client.get(f"/admin/workflows/organisation/{bengkulu.organisation.pk}/change/").content.decode()
    assert "Operator Layanan" in page and "Kepala Seksi" in page
    officer = bengkulu["kasi"].officer
    response = admin_client.get(f"/admin/workflows/officer/{officer.pk}/change/")
    assert response.status_code == 200
    choices = response.context["inline_admin_formsets"][0].formset.forms[0].fields["position"].queryset
    assert set(choices.values_list("organisation", flat=True)) == {bengkulu.organisation.pk}
    assert "Operator Layanan" in {p.name for p in choices}


def test_a_new_organisation_gets_its_positions_before_adding_its_own(admin_client, bengkulu):
    def position_forms(url):
        response = admin_client.get(url)
        assert response.status_code == 200
        (formset,) = [f.formset for f in response.context["inline_admin_formsets"] if f.formset.model is Position]
        return len(formset.forms)

    assert position_forms("/admin/workflows/organisation/add/") == 0
    assert position_forms(f"/admin/workflows/organisation/{bengkulu.organisation.pk}/change/") == len(Role.values) + 1


def test_a_held_positions_code_stays(bengkulu):
    position = Position.objects.create(organisation=bengkulu.organisation, name="Operator Layanan", code="operator")
    position.code = "operator-layanan"
    position.full_clean()  # nobody holds it yet
    position.save()
    officer_holding(bengkulu.organisation, "bengkulu.operator", position)
    position.code = "operator"
    with pytest.raises(ValidationError) as error:
        position.full_clean()
    assert error.value.message_dict["code"] == [
        "Kode jabatan yang sudah dipegang pegawai atau dipakai tugas tidak dapat diubah; buat jabatan baru."
    ]
