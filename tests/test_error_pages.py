"""SOPFlow's own error pages: Indonesian, in the project's frame, never Django's debug or English pages.

The suite runs with DEBUG off, as `make run` and production do.
"""

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.test import Client, override_settings

from .conftest import client_for, open_task, start_population, task_url

ENGLISH_OR_DEBUG = ["Traceback", "Page not found", "Forbidden", "Server Error", "Bad Request", "Using the URLconf",
                    "CSRF verification failed", "DEBUG = True", "Django Material"]


def assert_sopflow_page(response, status, *texts):
    page = response.content.decode()
    assert response.status_code == status
    assert '<html lang="id"' in page or 'lang="id"' in page
    for text in texts:
        assert text in page, text
    for text in ENGLISH_OR_DEBUG:
        assert text not in page, text
    return page


def test_settings_have_debug_off():
    assert settings.DEBUG is False


def test_unknown_address_answers_sopflow_404_to_an_officer_and_to_a_visitor(bengkulu):
    officer = client_for(bengkulu["kasi"]).get("/tidak-ada-halaman-ini/")
    page = assert_sopflow_page(officer, 404, "Halaman tidak ditemukan", "tidak termasuk organisasi Anda")
    assert "vf-page" in page  # viewflow's frame, as every other SOPFlow page
    visitor = Client().get("/verifikasi/00000000-0000-4000-8000-000000000000/")
    assert_sopflow_page(visitor, 404, "Halaman tidak ditemukan")


def test_another_organisations_process_is_a_404_page(bengkulu, sumbar):
    process = start_population(bengkulu["kadis"])
    response = client_for(sumbar["kadis"]).get(f"/population/{process.pk}/")
    assert_sopflow_page(response, 404, "Halaman tidak ditemukan")


def test_claiming_another_roles_task_answers_sopflow_403(bengkulu):
    process = start_population(bengkulu["kadis"])
    task = open_task(process, "form_team")
    response = client_for(bengkulu["kasi"]).post(task_url(process, task, "assign"))
    assert_sopflow_page(response, 403, "Akses ditolak", "peran yang ditetapkan dalam SOP")


def test_a_form_without_its_csrf_token_answers_sopflow_403_in_indonesian(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "a", "password": "b"})
    assert_sopflow_page(response, 403, "Formulir ini sudah kedaluwarsa", "Isian Anda belum tersimpan")


def test_an_unknown_host_name_answers_sopflow_400(db):
    response = Client().get("/accounts/login/", HTTP_HOST="bukan-sopflow.example")
    assert_sopflow_page(response, 400, "Permintaan tidak dapat diproses")


@override_settings(ROOT_URLCONF="tests.error_urls")
def test_an_exception_in_a_view_answers_sopflow_500_without_details(bengkulu):
    client = client_for(bengkulu["kasi"])
    client.raise_request_exception = False
    response = client.get("/rusak/")
    page = assert_sopflow_page(response, 500, "Terjadi kesalahan di server SOPFlow", "tercatat untuk administrator")
    assert "3173010101010001" not in page  # the exception's text (a NIK) never reaches the page


def test_the_500_page_renders_without_database_request_or_static_files():
    # No `db` fixture: pytest-django refuses any query here. No request, no context.
    page = get_template("500.html").render()
    assert "Terjadi kesalahan di server SOPFlow" in page
    assert "/static/" not in page


@pytest.mark.parametrize("template, heading, english", [
    ("400.html", "Permintaan tidak dapat diproses", "The request could not be processed"),
    ("429.html", "Terlalu banyak permintaan", "Too many requests"),
    ("500.html", "Terjadi kesalahan di server SOPFlow", "An error occurred on the SOPFlow server"),
])
def test_standalone_error_pages_speak_the_active_language(template, heading, english):
    from django.utils import translation

    # The msgids are the Indonesian text: Indonesian by default, English for an officer who chose it.
    with translation.override("id"):
        page = get_template(template).render()
    assert f"<h1>{heading}</h1>" in page and '<html lang="id">' in page
    with translation.override("en"):
        page = get_template(template).render()
    assert f"<h1>{english}</h1>" in page and '<html lang="en">' in page
