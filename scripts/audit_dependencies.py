"""Audit the pinned dependencies against a pinned snapshot of the Python advisory database (issue 16).

    python scripts/audit_dependencies.py                 # the lock files against the snapshot
    python scripts/audit_dependencies.py --online        # also ask OSV.dev, when it can be reached
    python scripts/audit_dependencies.py --refresh DIR   # rebuild the snapshot from a checkout of
                                                         # github.com/pypa/advisory-database (needs PyYAML)

Why a snapshot: pip-audit asks PyPI's per-release JSON API or OSV.dev, and neither answers from these
machines (the per-release API gives 404, OSV.dev is not reachable). The snapshot
(deploy/advisories/pypi.json) holds, for every package of requirements.lock and requirements-dev.lock,
the advisories the database had at the commit it names, in OSV's own terms (ranges of events, listed
versions). The audit needs nothing but the standard library and `packaging`, so it runs offline in CI.

Exit status: 0 when no pinned version is affected; 1 when one is, or when a pinned package is missing
from the snapshot (a new dependency: refresh the snapshot, so that nothing lands unaudited); 2 on a usage
error. An advisory accepted for a reason is listed in deploy/advisories/accepted.json with that reason.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

from packaging.version import InvalidVersion, Version

try:  # only --refresh reads the database's YAML; the audit itself runs without PyYAML
    import yaml
except ImportError:
    yaml = None

ROOT = Path(__file__).resolve().parent.parent
LOCKS = (ROOT / "requirements.lock", ROOT / "requirements-dev.lock")
SNAPSHOT = ROOT / "deploy" / "advisories" / "pypi.json"
ACCEPTED = ROOT / "deploy" / "advisories" / "accepted.json"
OSV_BATCH = "https://api.osv.dev/v1/querybatch"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalize(name: str) -> str:
    """PEP 503: the name as the index and the database know it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(paths) -> dict[str, str]:
    """{normalized name: version} from pip-compile lock files (`name==version \\`, hashes below)."""
    pins: dict[str, str] = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            match = PIN.match(line.strip())
            if match:
                pins[normalize(match.group(1))] = match.group(2)
    return pins


def _event_version(event: dict) -> Version:
    (kind, value), = event.items()
    return Version("0") if kind == "introduced" and value == "0" else Version(value)


def in_range(version: Version, events: list[dict]) -> bool:
    """OSV's ECOSYSTEM range: walk the events in version order; `introduced` opens, `fixed` closes at
    that version, `last_affected` closes after it."""
    affected = False
    # At one version, `introduced` comes first, so that a range that opens and closes there is empty.
    for event in sorted(events, key=lambda event: (_event_version(event), "introduced" not in event)):
        (kind, _), = event.items()
        bound = _event_version(event)
        if kind == "introduced" and version >= bound:
            affected = True
        elif kind == "fixed" and version >= bound:
            affected = False
        elif kind == "last_affected" and version > bound:
            affected = False
    return affected


def is_affected(version_text: str, advisory: dict) -> bool:
    if version_text in advisory.get("versions", ()):
        return True
    try:
        version = Version(version_text)
    except InvalidVersion:
        return False
    return any(in_range(version, events) for events in advisory.get("ranges", ()))


def fixed_versions(advisory: dict) -> list[str]:
    return [value for events in advisory.get("ranges", ()) for event in events
            for kind, value in event.items() if kind == "fixed"]


def audit(pins: dict[str, str], snapshot: dict, accepted: dict[str, str]) -> tuple[list[str], list[str], list[str]]:
    """(findings, accepted findings, packages the snapshot does not cover), each as report lines."""
    covered = set(snapshot["packages"])
    findings, waived = [], []
    for advisory in snapshot["advisories"]:
        version = pins.get(advisory["package"])
        if version is None or not is_affected(version, advisory):
            continue
        names = ", ".join([advisory["id"], *advisory.get("aliases", [])])
        fixed = ", ".join(fixed_versions(advisory)) or "no fixed version known"
        line = f"{advisory['package']}=={version}: {names} (fixed in {fixed}) {advisory.get('summary', '')}".rstrip()
        if advisory["id"] in accepted:
            waived.append(f"{line}\n    accepted: {accepted[advisory['id']]}")
        else:
            findings.append(line)
    missing = sorted(name for name in pins if name not in covered)
    return findings, waived, missing


def ask_osv(pins: dict[str, str], timeout: float = 5.0) -> list[str] | None:
    """The advisory ids OSV.dev knows today for the pins, or None when it cannot be reached."""
    queries = [{"package": {"name": name, "ecosystem": "PyPI"}, "version": version} for name, version in sorted(pins.items())]
    request = urllib.request.Request(OSV_BATCH, data=json.dumps({"queries": queries}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            results = json.load(response)["results"]
    except (OSError, urllib.error.URLError, ValueError, KeyError):
        return None
    names = sorted(pins)
    return [f"{names[i]}=={pins[names[i]]}: {vuln['id']}" for i, result in enumerate(results)
            for vuln in result.get("vulns", [])]


def _load_record(path: Path) -> dict | None:
    """One OSV record: YAML as pypa/advisory-database writes them, or JSON as OSV.dev's exports do."""
    if path.suffix == ".json":
        return json.loads(path.read_text())
    if path.suffix == ".yaml":
        if yaml is None:
            raise SystemExit("--refresh of YAML records needs PyYAML (pip install pyyaml)")
        return yaml.safe_load(path.read_text())
    return None


def refresh(database: Path, pins: dict[str, str], source: str) -> dict:
    """The snapshot for the pinned packages, from a checkout of pypa/advisory-database (vulns/<name>/)."""
    advisories = []
    for name in sorted(pins):
        folder = database / "vulns" / name
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            record = _load_record(path)
            if record is None:
                continue
            if record.get("withdrawn"):
                continue
            for affected in record.get("affected", []):
                if normalize(affected["package"]["name"]) != name:
                    continue
                advisories.append({
                    "id": record["id"],
                    "aliases": record.get("aliases", []),
                    "package": name,
                    "summary": (record.get("summary") or record.get("details", ""))[:200].split("\n")[0],
                    "ranges": [[{k: str(v)} for event in r["events"] for k, v in event.items()]
                               for r in affected.get("ranges", []) if r.get("type") == "ECOSYSTEM"],
                    # The enumeration repeats what the ranges say; kept only where there is no range.
                    "versions": [] if affected.get("ranges") else [str(v) for v in affected.get("versions", [])],
                })
    return {"source": source, "license": "CC-BY 4.0, the Python Packaging Authority's advisory database",
            "packages": sorted(pins), "advisories": advisories}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", action="append", type=Path, help="lock file(s) to audit (default: both)")
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--accepted", type=Path, default=ACCEPTED)
    parser.add_argument("--online", action="store_true", help="also ask OSV.dev when it can be reached")
    parser.add_argument("--refresh", type=Path, metavar="DIR", help="rebuild the snapshot from this checkout")
    parser.add_argument("--source", default="", help="with --refresh: what the checkout is (repository@commit, date)")
    args = parser.parse_args(argv)
    pins = read_pins(args.lock or LOCKS)

    if args.refresh:
        snapshot = refresh(args.refresh, pins, args.source or str(args.refresh))
        args.snapshot.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n")
        print(f"{args.snapshot}: {len(snapshot['advisories'])} advisories for {len(pins)} packages")
        return 0

    snapshot = json.loads(args.snapshot.read_text())
    accepted = json.loads(args.accepted.read_text()) if args.accepted.exists() else {}
    findings, waived, missing = audit(pins, snapshot, accepted)
    print(f"Audit of {len(pins)} pinned packages against {snapshot['source']} "
          f"({len(snapshot['advisories'])} advisories for them).")
    for line in waived:
        print(f"ACCEPTED {line}")
    for line in findings:
        print(f"VULNERABLE {line}")
    for name in missing:
        print(f"NOT IN SNAPSHOT {name}=={pins[name]}: refresh deploy/advisories/pypi.json (see README)")
    if args.online:
        online = ask_osv(pins)
        if online is None:
            print("OSV.dev cannot be reached from here: the snapshot alone was used.")
        else:
            print(f"OSV.dev: {len(online)} advisories for the pinned versions.")
            for line in online:
                print(f"OSV {line}")
            findings += [line for line in online if line.rsplit(": ", 1)[1] not in accepted]
    if findings or missing:
        return 1
    print("No pinned version is affected by a known advisory.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
