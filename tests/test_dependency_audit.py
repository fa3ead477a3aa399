"""Issue 16: the pinned dependencies are audited offline against a pinned advisory snapshot
(scripts/audit_dependencies.py, deploy/advisories/), and a known-bad pin stops the build."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "audit_dependencies.py"
_spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit_dependencies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit_dependencies)


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def lock(tmp_path, *pins):
    path = tmp_path / "requirements.lock"
    path.write_text("".join(f"{pin} \\\n    --hash=sha256:{'0' * 64}\n" for pin in pins))
    return path


def test_the_pinned_dependencies_pass_the_audit():
    """The gate itself: both lock files, against the committed snapshot."""
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No pinned version is affected" in result.stdout


def test_every_pinned_package_is_in_the_snapshot():
    snapshot = json.loads(audit_dependencies.SNAPSHOT.read_text())
    pins = audit_dependencies.read_pins(audit_dependencies.LOCKS)
    assert set(pins) <= set(snapshot["packages"])
    assert "django" in pins and pins["django"].startswith("5.2.")


def test_a_lock_back_on_a_vulnerable_django_fails_and_names_the_advisory(tmp_path):
    result = run("--lock", lock(tmp_path, "Django==5.2.0", "celery==5.7.0"))
    assert result.returncode == 1
    # CVE-2025-32873, strip_tags() denial of service, fixed in 5.2.1
    assert "VULNERABLE django==5.2.0: PYSEC-2025-37, CVE-2025-32873" in result.stdout
    assert "5.2.1" in result.stdout
    assert "celery" not in result.stdout.split("advisories for them).")[1]


def test_a_dependency_missing_from_the_snapshot_fails_until_it_is_refreshed(tmp_path):
    result = run("--lock", lock(tmp_path, "django==5.2.19", "left-pad-py==1.0"))
    assert result.returncode == 1
    assert "NOT IN SNAPSHOT left-pad-py==1.0" in result.stdout


def test_an_accepted_advisory_is_reported_with_its_reason_and_does_not_fail(tmp_path):
    accepted = tmp_path / "accepted.json"
    accepted.write_text(json.dumps({"PYSEC-2025-37": "strip_tags n'est jamais appelé sur une saisie"}))
    snapshot = json.loads(audit_dependencies.SNAPSHOT.read_text())
    only = tmp_path / "snapshot.json"
    snapshot["advisories"] = [a for a in snapshot["advisories"] if a["id"] == "PYSEC-2025-37"]
    only.write_text(json.dumps(snapshot))
    result = run("--lock", lock(tmp_path, "django==5.2.0"), "--snapshot", only, "--accepted", accepted)
    assert result.returncode == 0, result.stdout
    assert "ACCEPTED django==5.2.0: PYSEC-2025-37" in result.stdout
    assert "strip_tags n'est jamais appelé" in result.stdout


def test_the_snapshot_is_rebuilt_from_a_checkout_of_the_database(tmp_path):
    folder = tmp_path / "db" / "vulns" / "django"
    folder.mkdir(parents=True)
    record = {
        "id": "PYSEC-TEST-1", "aliases": ["CVE-TEST-1"], "details": "Un défaut.\nSuite.",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "Django"},
                      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "5.2"}, {"fixed": "5.2.30"}]}],
                      "versions": ["5.2"]}],
    }
    (folder / "PYSEC-TEST-1.json").write_text(json.dumps(record))
    (folder / "PYSEC-TEST-2.json").write_text(json.dumps({**record, "id": "PYSEC-TEST-2", "withdrawn": "2026-01-01"}))
    out = tmp_path / "snapshot.json"
    pins = lock(tmp_path, "django==5.2.19")
    assert run("--lock", pins, "--refresh", tmp_path / "db", "--snapshot", out, "--source", "test@1").returncode == 0
    snapshot = json.loads(out.read_text())
    assert snapshot["packages"] == ["django"]
    assert [a["id"] for a in snapshot["advisories"]] == ["PYSEC-TEST-1"]  # the withdrawn one is left out
    result = run("--lock", pins, "--snapshot", out, "--accepted", tmp_path / "none.json")
    assert result.returncode == 1
    assert "VULNERABLE django==5.2.19: PYSEC-TEST-1, CVE-TEST-1 (fixed in 5.2.30) Un défaut." in result.stdout


@pytest.mark.parametrize(
    ("events", "version", "expected"),
    [
        ([{"introduced": "0"}, {"fixed": "1.2"}], "1.1.9", True),
        ([{"introduced": "0"}, {"fixed": "1.2"}], "1.2", False),
        ([{"introduced": "1.0"}, {"last_affected": "1.4"}], "1.4", True),
        ([{"introduced": "1.0"}, {"last_affected": "1.4"}], "1.4.1", False),
        ([{"introduced": "5.0"}, {"fixed": "5.0.8"}, {"introduced": "4.2"}, {"fixed": "4.2.15"}], "4.2.14", True),
        ([{"introduced": "5.0"}, {"fixed": "5.0.8"}, {"introduced": "4.2"}, {"fixed": "4.2.15"}], "4.2.15", False),
        ([{"introduced": "5.0"}, {"fixed": "5.0.8"}, {"introduced": "4.2"}, {"fixed": "4.2.15"}], "5.0rc1", False),
        ([{"introduced": "2.0"}], "9.9", True),
    ],
)
def test_osv_ranges(events, version, expected):
    assert audit_dependencies.in_range(Version(version), events) is expected


versions = st.tuples(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20)).map(lambda t: Version(".".join(map(str, t))))


@given(versions, versions, versions)
def test_a_range_is_exactly_from_introduced_up_to_fixed(low, high, version):
    low, high = min(low, high), max(low, high)
    events = [{"fixed": str(high)}, {"introduced": str(low)}]  # any order in the record
    assert audit_dependencies.in_range(version, events) is (low <= version < high)
