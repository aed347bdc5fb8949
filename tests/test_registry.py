"""The SOP registry (workflows/catalogue.py) drives the URLs, the dashboard, the process page and
the permissions, and no shared module names a SOP.

"Shared" is everything the next SOP must not have to edit: every Python module under
``workflows/`` outside the SOP packages (``workflows/sops/<name>/``), the migrations and the
registry itself, plus ``sopflow/`` and the shared templates.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import resolve

from workflows.catalogue import PACKAGES, REGISTRY, SOPS, hook
from workflows.permissions import PROCESS_MODELS

from .conftest import client_for, start_population, start_utilization

ROOT = Path(__file__).resolve().parents[1]

# SOP A's own management command: Django finds commands only in the app's management/commands
# folder, so it cannot live in the SOP's package.
SOP_COMMANDS = {"workflows/management/commands/verify_backup.py"}
# The population-data engine is pure Python with no SOP in it; its "A"/"B" are SIAK blood-group
# codes (workflows/dkb/schema.py), not SOP codes.
NOT_SOP_CODES = ("workflows/dkb/",)


def shared_python_files():
    sop_packages = {sop.package.replace(".", "/") + "/" for sop in REGISTRY}
    files = []
    for path in sorted([*(ROOT / "workflows").rglob("*.py"), *(ROOT / "sopflow").rglob("*.py")]):
        name = path.relative_to(ROOT).as_posix()
        if name.startswith(tuple(sop_packages)) or "/migrations/" in name or name == "workflows/catalogue.py":
            continue
        files.append(name)
    return files


def sop_identifiers():
    """Names that belong to one SOP: its definition constant, flow class and model classes."""
    names = {sop.flow for sop in REGISTRY}
    for sop in REGISTRY:
        module = sop.module("definition")
        names.update(name for name, value in vars(module).items() if value is sop)
    for model in apps.get_app_config("workflows").get_models():
        if model.__module__.startswith(tuple(sop.package + "." for sop in REGISTRY)):
            names.add(model.__name__)
    return names


def sop_code_literals(source):
    """The string literals of ``source`` that spell a registered SOP's code."""
    codes = set(SOPS)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                continue
            if value in codes:
                found.append((token.start[0], token.string))
    return found


def sop_references(source):
    """(line, what) for every import of a SOP package and every use of a SOP's own name."""
    names = sop_identifiers()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if re.search(r"(^|\.)sops\.(?!spec\b)\w+", module) or (module == "sops" or module.endswith(".sops")):
                found.append((node.lineno, f"from {module} import"))
            found.extend((node.lineno, alias.name) for alias in node.names if alias.name in names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names if re.search(r"\.sops\.(?!spec\b)", alias.name))
        elif isinstance(node, ast.Name) and node.id in names:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute) and node.attr in names:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.search(r"workflows\.sops\.(?!spec\b)\w+", node.value):
                found.append((node.lineno, node.value))
    return found


def test_the_checks_catch_what_they_are_meant_to_catch():
    """Each check fails on a line written the old way, so a pass means something."""
    assert sop_code_literals('if process.sop == "A":\n    pass\n') == [(1, '"A"')]
    assert sop_code_literals("x = get(sop='B')\n") == [(1, "'B'")]
    assert sop_code_literals('x = "AB"\n') == []
    assert sop_references("from ..models import DkbUpload\n") == [(1, "DkbUpload")]
    assert sop_references("from workflows.sops.population.models import X\n") == [
        (1, "from workflows.sops.population.models import")
    ]
    assert sop_references("from .sops.spec import Sop\n") == []
    assert sop_references("flows = [PopulationFlow]\n") == [(1, "PopulationFlow")]
    assert sop_references("n = process.team_decrees.count()\n") == []
    assert sop_references("import_string('workflows.sops.utilization.flow.UtilizationFlow')\n") == [
        (1, "workflows.sops.utilization.flow.UtilizationFlow")
    ]
    assert {"SOP_A", "SOP_B", "PopulationFlow", "UtilizationFlow", "DkbUpload", "Opd", "PopulationProcess"} <= (
        sop_identifiers()
    )


def test_no_shared_module_names_a_sop_code():
    offenders = []
    for name in shared_python_files():
        if name.startswith(NOT_SOP_CODES):
            continue
        offenders += [(name, *hit) for hit in sop_code_literals((ROOT / name).read_text())]
    assert offenders == []


def test_no_shared_module_imports_a_sop_package_or_uses_its_names():
    offenders = []
    for name in shared_python_files():
        if name in SOP_COMMANDS:
            continue
        offenders += [(name, *hit) for hit in sop_references((ROOT / name).read_text())]
    assert offenders == []


def test_shared_templates_never_branch_on_a_sop():
    """The project's templates/ are shared; a SOP's own live in its package (sops/<name>/templates/)."""
    branch = re.compile(r"\bsop\w*(\.\w+)*\s*(==|!=)\s*[\"'][A-Z]+[\"']")
    models = re.compile("|".join(sop.process_model for sop in REGISTRY))
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        text = path.read_text()
        offenders += [(name, match.group(0)) for match in branch.finditer(text)]
        offenders += [(name, match.group(0)) for match in models.finditer(text)]
    assert offenders == []
    assert branch.search('{% if sop_process.sop == "B" %}') and models.search("perms.workflows.manage_populationprocess")


def test_every_sop_has_a_package_flow_and_steps_keyed_by_node():
    assert [sop.code for sop in REGISTRY] == list(SOPS)
    for sop in REGISTRY:
        flow = sop.flow_class
        assert flow.sop is sop
        assert flow.process_class.SOP_CODE == sop.code
        assert flow.process_class._meta.model_name == sop.process_model
        nodes = {node.name for node in flow.instance.nodes()}
        keys = [step.node for step in sop.steps]
        assert len(set(keys)) == len(keys) and set(keys) <= nodes
        assert all(sop.step_for_node(step.node) is step for step in sop.steps)


def test_every_registered_sop_is_mounted_at_its_prefix(bengkulu):
    from sopflow.urls import site

    mounted = [viewset._flow_class for viewset in site.viewsets if hasattr(viewset, "_flow_class")]
    # The built-in SOPs, then the interpreter of the SOPs organisations write themselves.
    assert mounted == [sop.flow_class for sop in PACKAGES]
    for sop in PACKAGES:
        assert resolve(f"/{sop.url_prefix}/").namespace.endswith(sop.url_prefix)
        assert resolve(f"/{sop.url_prefix}/start/")
        response = client_for(bengkulu["kadis"]).get(f"/{sop.url_prefix}/")
        assert response.status_code == 200, sop.code
    for sop in REGISTRY:
        urls = sop.module("urls")
        for pattern in urls.urlpatterns if urls else ():
            assert pattern.name and pattern.pattern.regex.pattern.lstrip("^").startswith("berkas/")


def test_permissions_cover_every_registered_process_model():
    assert set(PROCESS_MODELS) == {sop.process_model for sop in PACKAGES}


def test_dashboard_offers_every_registered_sop(sumbar):
    response = client_for(sumbar["kabid"]).get("/sla/")
    assert response.status_code == 200
    for sop in REGISTRY:
        assert f'<option value="{sop.code}"' in response.content.decode()


def test_sop_templates_live_in_their_packages():
    for sop in REGISTRY:
        folder = ROOT / sop.package.replace(".", "/") / "templates"
        for name in (hook(sop, "process_template"), hook(sop, "process_documents_template")):
            assert (folder / name).is_file(), name
    assert not (ROOT / "templates" / "workflows" / "population").exists()


@pytest.mark.parametrize("code", list(SOPS))
def test_process_page_shows_the_sections_its_sop_contributes(bengkulu, code):
    start = {"A": start_population, "B": start_utilization}[code]
    process = start(bengkulu["kadis"] if code == "A" else bengkulu["kabid"])
    sop = SOPS[code]
    response = client_for(bengkulu["kabid"]).get(f"/{sop.url_prefix}/{process.pk}/")
    assert response.status_code == 200
    used = {template.name for template in response.templates}
    own = {hook(sop, "process_template"), hook(sop, "process_documents_template")}
    others = {hook(other, name) for other in REGISTRY if other is not sop
              for name in ("process_template", "process_documents_template")}
    assert own <= used and not (others - {None}) & used


def restated_table_lists(source, names, at_least):
    """(line, count) for every literal collection in ``source`` naming ``at_least`` of ``names``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if isinstance(node, (ast.Dict, ast.Tuple, ast.List, ast.Set)) and items:
            named = {item.value for item in items if isinstance(item, ast.Constant) and item.value in names}
            if len(named) >= at_least:
                found.append((node.lineno, len(named)))
    return found


def test_the_aggregate_tables_are_specified_once():
    from workflows.dkb import loader, quality, schema, tables
    from workflows.sops.population.aggregation import TABLE_TITLES

    names = [table.name for table in schema.TABLES]
    assert list(tables.TABLE_ORDER) == names and list(TABLE_TITLES) == names
    assert list(tables.CODED_TABLES) == [table.name for table in schema.TABLES if table.field]
    for field in schema.CODED_FIELDS:
        assert loader.CODE_COLUMNS[field.name] == field.siak
        assert quality.PROBLEMS[f"code_out_of_range_{field.problem}"].label == field.problem_label
    # No other module restates the list: a literal naming more than half of the tables.
    at_least = len(names) // 2 + 1
    offenders = []
    for path in sorted((ROOT / "workflows").rglob("*.py")):
        if path == ROOT / "workflows" / "dkb" / "schema.py" or "migrations" in path.parts:
            continue
        offenders += [(path.name, *hit) for hit in restated_table_lists(path.read_text(), set(names), at_least)]
    assert offenders == []
    assert restated_table_lists(repr(tuple(names)), set(names), at_least) == [(1, len(names))]
