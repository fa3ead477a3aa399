"""Project-level guarantees: migrations match the models, demo data loads idempotently, every library
imported is declared and locked."""
import ast
import re
import runpy
import sys
import tomllib
from importlib.metadata import packages_distributions
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from calendrier.models import PaymentDate
from comptes.models import BillingAccount
from demo import data as demo_data
from dossier import numbers
from dossier.models import Professional, User


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_demo_data_loads_twice_without_changing_anything():
    call_command("load_demo_data", stdout=StringIO())
    counts = (Professional.objects.count(), User.objects.count(), BillingAccount.objects.count(), PaymentDate.objects.count())
    hashes = list(Professional.objects.order_by("pk").values_list("reference_number_hash", flat=True))
    call_command("load_demo_data", stdout=StringIO())
    assert counts == (Professional.objects.count(), User.objects.count(), BillingAccount.objects.count(), PaymentDate.objects.count())
    assert hashes == list(Professional.objects.order_by("pk").values_list("reference_number_hash", flat=True))


@pytest.mark.django_db
def test_DOS_1_demo_data_has_a_file_for_each_profession_and_the_required_people():
    demo_data.load()
    assert set(Professional.objects.values_list("profession__code", flat=True)) == {
        "chirurgien-dentiste", "chirurgien-buccal", "optometriste",
    }
    not_enrolled = Professional.objects.get(user__isnull=True, licence_number="10002")
    assert not_enrolled.reference_number_hash == numbers.hash_reference_number(demo_data.DEMO_REFERENCE_NUMBER)
    fixed_fees = Professional.objects.get(user__isnull=True, licence_number="10005")
    assert fixed_fees.reference_number_hash == numbers.hash_reference_number(demo_data.DEMO_REFERENCE_NUMBER_FIXED_FEES)
    assert User.objects.get(username="agent.demo").groups.filter(name="agent").exists()
    assert User.objects.get(username="superviseur.demo").groups.filter(name="superviseur").exists()
    full = Professional.objects.get(user__username="dentiste.demo")
    assert full.telephones.count() == 2 and full.places_of_practice.filter(is_main=True).exists()


# --- apps form layers ---------------------------------------------------------------------------------

# From the ground up: an app imports only the apps of the floors below it, never one beside or above
# (no cycle), and never another app from inside a function (an import hidden there to dodge a cycle is
# still a cycle). ramq_portal/urls.py wires the whole project together and stands above everything.
LAYERS = [{"ramq_portal"}, {"calendrier"}, {"dossier"}, {"comptes"}, {"notifications", "inscription"}, {"guichet"}, {"demo"}]
FLOOR = {app: floor for floor, apps in enumerate(LAYERS) for app in apps}
PROJECT_WIRING = {"ramq_portal/urls.py"}


def _imports(path: Path):
    """(module imported, whether the import sits inside a function) of every absolute import of a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            yield module, id(node) in inside


def test_apps_form_layers_without_cycles_or_hidden_imports():
    wrong = []
    for app, floor in FLOOR.items():
        for path in (REPO / app).rglob("*.py"):
            name = str(path.relative_to(REPO))
            if name in PROJECT_WIRING:
                continue
            for module, in_function in _imports(path):
                other = module.split(".")[0]
                if other not in FLOOR or other == app:
                    continue
                if FLOOR[other] >= floor:
                    wrong.append(f"{name} imports {module}: {other} is not below {app}")
                elif in_function:
                    wrong.append(f"{name} imports {module} inside a function")
    assert wrong == []


# --- dependencies: declared, locked, used -------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
APP_CODE = ["calendrier", "dossier", "comptes", "inscription", "notifications", "guichet", "demo", "ramq_portal", "manage.py", "gunicorn.conf.py"]
DEV_CODE = ["tests", "scripts"]
LOCAL = {"calendrier", "dossier", "comptes", "inscription", "notifications", "guichet", "demo", "ramq_portal", "tests", "scripts"}


def canonicalize_name(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements: list[str]) -> dict[str, str]:
    """{normalised distribution name: version} of `name[extra]==version` lines."""
    pins = {}
    for line in requirements:
        found = re.match(r"^\s*([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;\\]+)", line)
        if found:
            pins[canonicalize_name(found.group(1))] = found.group(3)
    return pins


def _project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _imported_libraries(paths: list[str]) -> dict[str, str]:
    """{top-level module: first file importing it} of every import that is neither standard nor local."""
    found: dict[str, str] = {}
    files = [p for name in paths for p in ([REPO / name] if name.endswith(".py") else (REPO / name).rglob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL and top != "__future__":
                    found.setdefault(top, str(path.relative_to(REPO)))
    return found


def _undeclared(paths: list[str], declared: set[str]) -> dict[str, str]:
    providers = packages_distributions()
    return {
        module: where for module, where in _imported_libraries(paths).items()
        if not {canonicalize_name(d) for d in providers.get(module, [])} & declared
    }


def test_every_library_the_portal_imports_is_a_declared_dependency():
    declared = set(_pins(_project()["dependencies"]))
    assert _undeclared(APP_CODE, declared) == {}


def test_every_library_the_tests_and_scripts_import_is_declared_for_development():
    project = _project()
    declared = set(_pins(project["dependencies"])) | set(_pins(project["optional-dependencies"]["dev"]))
    assert _undeclared(DEV_CODE, declared) == {}


def test_development_tools_stay_out_of_the_production_dependencies():
    production = set(_pins(_project()["dependencies"]))
    assert not production & {"honcho", "pytest", "ruff", "time-machine", "uv", "playwright", "hypothesis", "factory-boy"}


@pytest.mark.parametrize("lock, groups", [("requirements.lock", ["dependencies"]), ("requirements-dev.lock", ["dependencies", "dev"])])
def test_the_lock_files_pin_what_pyproject_declares_with_hashes(lock, groups):
    project = _project()
    declared = {}
    for group in groups:
        declared.update(_pins(project["dependencies"] if group == "dependencies" else project["optional-dependencies"][group]))
    text = (REPO / lock).read_text()
    locked = _pins(text.splitlines())
    assert {name: locked.get(name) for name in declared} == declared, f"run `make lock`: {lock} is out of date"
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
    assert entries and all("--hash=sha256:" in entry for entry in entries)


def test_session_alive_answers_204_when_signed_in_and_sends_anonymous_to_sign_in(client, django_user_model):
    anonymous = client.get("/session/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/connexion/")
    user = django_user_model.objects.create_user(username="quelqu.un", password="Un-mot-de-passe-2026")
    client.force_login(user, backend="ramq_portal.auth_backends.CachedModelBackend")
    assert client.get("/session/").status_code == 204


def test_the_bench_signs_in_as_the_large_file_the_load_creates():
    from guichet.management.commands import generate_backoffice_load as load
    from scripts import bench

    assert (bench.LARGE_USERNAME, bench.LARGE_PASSWORD) == (load.LARGE_FILE_USERNAME, load.LARGE_FILE_PASSWORD)


def test_the_bench_runs_again_a_run_whose_connections_fell_on_one_worker():
    """Issue 14: gunicorn's workers keep a connection for its life, so a wrk run's four connections may
    all land on one of the two workers, halving the page's throughput; the bench tells such a run by
    the workers' CPU time and does not count it."""
    import os
    import subprocess

    from scripts import bench

    assert bench.evenness({1: 10.0, 2: 20.0}, {1: 12.0, 2: 21.9}) == pytest.approx(0.95)
    assert bench.evenness({1: 10.0, 2: 20.0}, {1: 12.0, 2: 21.9}) >= bench.EVEN  # two and two
    assert bench.evenness({1: 10.0, 2: 20.0}, {1: 14.0, 2: 20.1}) < bench.EVEN  # all on worker 1
    assert bench.evenness({1: 10.0, 2: 20.0}, {1: 12.0, 2: 21.74}) < bench.EVEN  # three and one: 0.87
    assert bench.evenness({1: 10.0}, {1: 12.0}) is None  # one worker: nothing to tell
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in bench.workers_of(os.getpid())
        assert bench.cpu_seconds(child.pid) >= 0
    finally:
        child.kill()
        child.wait()
    assert child.pid not in bench.workers_of(os.getpid())


@pytest.mark.parametrize(("environment", "reuse_port"), [({}, False), ({"GUNICORN_REUSE_PORT": "1"}, True)])
def test_gunicorn_shares_one_socket_unless_the_bench_asks_for_one_per_worker(monkeypatch, environment, reuse_port):
    """Issue 14: in production a worker that ends must not drop the connections queued on a socket of
    its own; `make bench` (scripts/bench.sh) gives each worker its own, so that wrk's connections spread."""
    monkeypatch.delenv("GUNICORN_REUSE_PORT", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
    assert config["reuse_port"] is reuse_port
    assert "export GUNICORN_REUSE_PORT=1" in (Path(__file__).resolve().parent.parent / "scripts" / "bench.sh").read_text()
