#!/usr/bin/env python
"""The pages `make lighthouse` audits (scripts/lighthouse.sh), as JSON for scripts/lighthouse/run.mjs.

    python scripts/lighthouse_pages.py --base-url http://127.0.0.1:8123 > pages.json

Signs in the demo dentist and walks a newcomer through the wizard (scripts/bench_setup.py, in the
database the portal under test uses: the sessions are really there), then lists every page of the
portal a professional, a registering dentist and a visitor open: the professional's file and its edit
forms, the accounts and their forms, the messages, the history, each wizard step and its summary, and
the public pages, in French and in English; the file's first page and the sign-in page also in the
two contrast modes.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ramq_portal.settings")

import django  # noqa: E402

django.setup()

from ramq_portal.display import DISPLAY_COOKIE  # noqa: E402
from scripts.bench_cpu import PAGES  # noqa: E402
from scripts.bench_setup import sessions  # noqa: E402

PUBLIC = ["/connexion/", "/connexion/mot-de-passe-oublie/", "/inscription/", "/inscription/services-en-ligne/",
          "/inscription/non-participation/"]
CONTRASTS = ["contraste-eleve", "contraste-inverse"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args()
    host = args.base_url.split("//", 1)[1].split(":", 1)[0]
    who, ids = sessions(host)
    pages = [(page.label, page.path.format(**ids), who[page.who]) for page in PAGES
             if page.kind in ("read", "form", "wizard") and page.who in who and not page.label.startswith("large:")]
    pages += [(path, path, "") for path in PUBLIC]
    listed = [{"label": label, "url": args.base_url + path, "cookie": cookie, "language": language}
              for language in ("fr", "en") for label, path, cookie in pages]
    for mode in CONTRASTS:
        for label, path, cookie in (pages[0], pages[-len(PUBLIC)]):
            listed.append({"label": f"{label} ({mode})", "url": args.base_url + path, "language": "fr",
                           "cookie": "; ".join(filter(None, [cookie, f"{DISPLAY_COOKIE}={mode}"]))})
    json.dump(listed, sys.stdout, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
