"""The English catalogue (UI: French first, every string translatable, English second).

`locale/en/LC_MESSAGES/django.po` must translate every message the code and templates use. The
messages in use are extracted afresh, with Django's own `makemessages`, from a temporary copy of the
project's source, so that the committed catalogue is never touched by the test.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
GETTEXT_TOOLS = ["xgettext", "msguniq", "msgmerge"]  # what makemessages runs
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def _key(entry: polib.POEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def _show(entry: polib.POEntry) -> str:
    context = f" (context {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"  {entry.msgid!r}{context}"


# Loaded in the test bodies (not in fixtures), so that a missing catalogue or a missing gettext is a
# test failure with its message, never a setup error or a skip.
def committed_catalogue() -> polib.POFile:
    if not CATALOGUE.is_file():
        pytest.fail(f"{CATALOGUE.relative_to(BASE_DIR)} is missing: run `manage.py makemessages -l en` and translate it")
    return polib.pofile(str(CATALOGUE))


def _project_sources() -> list[Path]:
    """Folders whose messages belong in the catalogue: the project's own apps, its settings package
    (ramq_portal: LANGUAGES, display modes...) and its template folders. Never .venv."""
    venv = BASE_DIR / ".venv"
    folders = {Path(config.path) for config in apps.get_app_configs()}
    folders.add(BASE_DIR / settings.ROOT_URLCONF.split(".")[0])
    for engine in settings.TEMPLATES:
        folders.update(Path(folder) for folder in engine.get("DIRS", []))
    return sorted(
        folder for folder in folders
        if folder.is_relative_to(BASE_DIR) and not folder.is_relative_to(venv) and folder.is_dir()
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("extraction")


@functools.cache
def extract(root: Path) -> polib.POFile:
    """Every message in use today: `makemessages -l en --no-location` on a copy of the sources."""
    missing_tools = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing_tools:
        pytest.fail(
            f"{', '.join(missing_tools)} not found: the catalogue check needs GNU gettext. "
            "Install it with `make system-packages` (or `apt-get install gettext`)."
        )
    source = root / "source"
    for folder in _project_sources():
        shutil.copytree(folder, source / folder.relative_to(BASE_DIR),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"))
    (source / "locale").mkdir()
    # The copy's own settings, so that makemessages writes into the copy, never into the real locale/.
    (source / "extraction_settings.py").write_text(
        "from ramq_portal.settings_test import *  # noqa: F401,F403\n"
        f"LOCALE_PATHS = [{str(source / 'locale')!r}]\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "extraction_settings",
        "PYTHONPATH": str(source),
        "VAR_DIR": str(root / "var"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-location", "--no-wrap"],
        cwd=source, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, f"makemessages failed:\n{run.stdout}\n{run.stderr}"
    fresh = source / "locale" / "en" / "LC_MESSAGES" / "django.po"
    assert fresh.is_file(), f"makemessages wrote no catalogue:\n{run.stdout}\n{run.stderr}"
    return polib.pofile(str(fresh))


def test_english_catalogue_exists_and_has_entries():
    catalogue = committed_catalogue()
    assert len([entry for entry in catalogue if not entry.obsolete]) > 0, "the English catalogue is empty"
    assert catalogue.metadata.get("Language") == "en"


def test_no_english_entry_is_untranslated_or_fuzzy():
    catalogue = committed_catalogue()
    problems = [f"{_show(entry)}: untranslated" for entry in catalogue.untranslated_entries()]
    problems += [f"{_show(entry)}: fuzzy (Django ignores it)" for entry in catalogue.fuzzy_entries()]
    assert not problems, "entries of django.po that English pages would show in French:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders():
    """A msgstr that drops or renames a %(name)s placeholder breaks the English page at runtime."""
    catalogue = committed_catalogue()
    broken = []
    for entry in catalogue.translated_entries():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        expected = sorted(set().union(*(set(PLACEHOLDER.findall(text)) for text in sources)))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if sorted(set(PLACEHOLDER.findall(text))) != expected:
                broken.append(f"{_show(entry)} -> {text!r}")
    assert not broken, "placeholders differ between msgid and msgstr:\n" + "\n".join(broken)


def test_no_message_in_use_is_marked_obsolete(workdir):
    catalogue, extracted = committed_catalogue(), extract(workdir)
    in_use = {_key(entry) for entry in extracted}
    obsolete = [_show(entry) for entry in catalogue.obsolete_entries() if _key(entry) in in_use]
    assert not obsolete, "marked obsolete (#~) in django.po but still used:\n" + "\n".join(obsolete)


def test_english_catalogue_has_every_message_in_use(workdir):
    catalogue, extracted = committed_catalogue(), extract(workdir)
    present = {_key(entry) for entry in catalogue if not entry.obsolete}
    missing = [_show(entry) for entry in extracted if _key(entry) not in present]
    assert len(extracted) > 0, "the extraction found no message at all: is the source copy right?"
    assert not missing, (
        f"{len(missing)} message(s) in use are missing from locale/en/LC_MESSAGES/django.po "
        "(run `manage.py makemessages -l en` and translate them):\n" + "\n".join(missing)
    )
