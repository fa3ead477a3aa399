"""BEY-6: the history of a busy file, newest first, a page at a time, at the same cost for any file.

Alice's file gets numbered changes, one a minute, through each kind of row in turn; change i writes the
marker `m{i:04}` in a field the history shows, so that each entry of a page names the change it is.
"""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossier import history
from dossier.constants import Channel, CorrespondenceKind
from dossier.models import CorrespondencePreference
from ramq_portal import clock, filecache

pytestmark = pytest.mark.django_db

# The user, the professional, one query per kind of row (the file's 5, the accounts' 6: BEY-6 shows
# them all since issue 15), and the names of what the page's records point to, one query per kind of
# row named (a profession, an institution, an agency): the same for a small file and a busy one.
MAX_QUERIES = 2 + 11 + 3
MARKER = re.compile(r"→ [^<]*?(m\d{4})")
ROW = re.compile(r"<tr>\s*<td[^>]*>(.*?)</tr>", re.S)


@pytest.fixture
def start():
    """A day after the test starts: later than every record its fixtures make (whole seconds: time
    moves to a float timestamp)."""
    return (clock.now() + timedelta(days=1)).replace(microsecond=0)


@pytest.fixture
def when(frozen_clock, start):
    """Change i happens i minutes after `start`."""
    def move(i: int):
        frozen_clock(start + timedelta(minutes=i))
    return move


def change(professional, i: int) -> None:
    """Change i: the office telephone's extension, the email, the place's name, then the address's
    second line, in turn."""
    kind = i % 4
    if kind == 0:
        telephone = professional.telephones.get()
        telephone.extension = f"m{i:04}"
        telephone.save()
    elif kind == 1:
        professional.email = f"m{i:04}@exemple.ca"
        professional.save()
    elif kind == 2:
        place = professional.places_of_practice.get()
        place.name = f"Clinique m{i:04}"
        place.save()
    else:
        address = professional.correspondence_addresses.get()
        address.line2 = f"Bureau m{i:04}"
        address.save()


def busy(professional, when, changes: int, *, first: int = 0) -> None:
    for i in range(first, first + changes):
        when(i)
        change(professional, i)


def markers(page: str) -> list[str]:
    """The change each row of a history page shows, top to bottom ("" for a row of no numbered change)."""
    rows = ROW.findall(page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]) if "<tbody>" in page else []
    return [(MARKER.search(row).group(1) if MARKER.search(row) else "") for row in rows]


def link(page: str, label: str) -> str | None:
    found = re.search(rf'<a href="([^"]*)">{label}</a>', page)
    return html.unescape(found.group(1)) if found else None


def walk(client, label: str, url: str) -> list[str]:
    """The pages from `url` on, following the link `label` to the end."""
    pages = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.content.decode())
        url = link(pages[-1], label)
        assert len(pages) < 100
    return pages


def expected(changes: int) -> list[str]:
    return [f"m{i:04}" for i in reversed(range(changes))]


def test_BEY_6_the_newest_change_comes_first(client, alice, when):
    busy(alice, when, 3)
    client.force_login(alice.user)
    page = client.get(reverse("dossier:history")).content.decode()
    assert markers(page)[:3] == ["m0002", "m0001", "m0000"]
    assert "Bureau m0002" not in page and "Clinique m0002" in page


def test_BEY_6_a_busy_file_shows_its_latest_change_first_and_loses_nothing_across_pages(client, alice, when):
    busy(alice, when, 450)
    client.force_login(alice.user)
    pages = walk(client, "Changements plus anciens", reverse("dossier:history"))
    assert markers(pages[0])[0] == "m0449"
    assert all(len(markers(page)) == history.PAGE_SIZE for page in pages[:-1])
    shown = [marker for page in pages for marker in markers(page)]
    assert shown[:450] == expected(450)
    # Then the oldest: the file's rows being added, before any numbered change.
    assert shown[450:] and set(shown[450:]) == {""}
    assert "Téléphone\u00a0: ajout" in pages[-1] and "Dossier de professionnel\u00a0: ajout" in pages[-1]
    records = sum(source.model.history.filter(**{source.key: alice.pk}).count() for source in history.SOURCES)
    assert len(shown) == records  # every record is an entry: none of these changes is silent


def test_BEY_6_the_newer_links_go_back_through_the_same_pages(client, alice, when):
    busy(alice, when, 80)
    client.force_login(alice.user)
    forward = walk(client, "Changements plus anciens", reverse("dossier:history"))
    back = walk(client, "Changements plus récents", link(forward[-1], "Changements plus récents"))
    assert len(forward) == 4  # 80 changes and the fixtures' 4 records
    assert [markers(page) for page in back] == [markers(page) for page in forward[-2::-1]]
    assert "Page 4" in forward[-1] and "Page 1" in back[-1]
    assert link(forward[0], "Changements plus récents") is None and link(forward[-1], "Changements plus anciens") is None


def test_BEY_6_silent_saves_never_leave_a_page_short(client, alice, when):
    """Saves that change nothing shown are not entries: more of them in a row than a page reads
    ahead (history.SLACK) make the page read on, and it is still full."""
    busy(alice, when, 30)
    for j in range(history.SLACK * 3):
        when(30 + j)
        alice.save()  # nothing shown changes
    busy(alice, when, 30, first=30 + history.SLACK * 3)
    client.force_login(alice.user)
    pages = [markers(page) for page in walk(client, "Changements plus anciens", reverse("dossier:history"))]
    assert all(len(page) == history.PAGE_SIZE for page in pages[:-1])
    shown = [marker for page in pages for marker in page if marker]
    assert shown == [f"m{i:04}" for i in reversed(range(30 + history.SLACK * 3, 60 + history.SLACK * 3))] + expected(30)


def test_BEY_6_records_at_the_same_moment_are_split_across_pages_without_loss(alice, frozen_clock, start):
    """One save can leave records of several kinds at one moment; a page may end among them."""
    frozen_clock(start)
    for i in range(7):
        change(alice, i)
    CorrespondencePreference.objects.create(
        professional=alice, kind=CorrespondenceKind.PAYMENTS, channel=Channel.POST, effective_from=start.date(), recorded_at=start,
    )
    seen, page = [], history.page_for(alice, size=3)
    while True:
        seen += [entry for entry in page.entries if entry.when == start]
        if page.older is None:
            break
        page = history.page_for(alice, size=3, number=page.number + 1, older_than=page.older)
    assert len(seen) == 8 and len({(e.what, tuple(e.changes)) for e in seen}) == 8
    # Ties: the file's own row first, then the rows in the order of history.SOURCES, newest first.
    assert [e.what for e in seen][:2] == ["Dossier de professionnel", "Dossier de professionnel"]
    assert seen[-1].what == "Préférence de correspondance\u00a0: ajout"


def counted(client, url: str) -> int:
    """The queries of the page as built (not from the file's page cache: every file's version is bumped first)."""
    filecache.bump([filecache.EVERY_FILE])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_BEY_6_a_page_costs_the_same_for_a_small_and_a_busy_file(client, alice, bob, when, django_assert_max_num_queries):
    busy(bob, when, 10)
    busy(alice, when, 450, first=10)
    client.force_login(alice.user)
    deep = reverse("dossier:history")
    for _ in range(12):
        deep = link(client.get(deep).content.decode(), "Changements plus anciens")
    back = link(client.get(deep).content.decode(), "Changements plus récents")
    busy_counts = [counted(client, url) for url in (reverse("dossier:history"), deep, back)]
    client.force_login(bob.user)
    client.get(reverse("dossier:history"))  # as Alice's: his user and session read once already
    small = counted(client, reverse("dossier:history"))
    assert len(set(busy_counts)) == 1 and max(busy_counts + [small]) <= MAX_QUERIES
    assert len(history.SOURCES) == 11
    filecache.bump([filecache.EVERY_FILE])
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(deep)


def test_BEY_6_a_page_past_the_end_or_an_edited_link_is_answered(client, alice, when):
    busy(alice, when, 30)
    client.force_login(alice.user)
    first = client.get(reverse("dossier:history")).content.decode()
    oldest = link(client.get(link(first, "Changements plus anciens")).content.decode(), "Changements plus anciens")
    assert oldest is None  # 30 changes and the records of the fixtures: two pages
    past_the_end = client.get(reverse("dossier:history") + "?avant=1.professional.1&page=9").content.decode()
    assert "Aucun changement plus ancien." in past_the_end and "Page 9" in past_the_end
    # Newer than the end: the oldest page, which ends with the first change, then the records of the
    # fixtures (the file's and its personal account's).
    oldest_page = markers(client.get(link(past_the_end, "Changements plus récents")).content.decode())
    assert "m0000" in oldest_page and set(oldest_page[oldest_page.index("m0000") + 1:]) == {""}
    for edited in ("?avant=demain&page=2", "?avant=1.nothing.1&page=2", "?page=-3", "?page=x&apres=9", "?apres=1.telephone.1",
                   "?avant=9" + "9" * 40 + ".telephone.1&page=2", "?avant=99999999999999999999.telephone.1&page=2"):
        response = client.get(reverse("dossier:history") + edited)
        assert response.status_code == 200
        assert markers(response.content.decode())[0] == "m0029", edited


def test_BEY_6_another_professionals_link_shows_only_my_file(client, alice, bob, when):
    busy(alice, when, 30)
    client.force_login(alice.user)
    older = link(client.get(reverse("dossier:history")).content.decode(), "Changements plus anciens")
    client.force_login(bob.user)
    page = client.get(older).content.decode()
    assert "Clinique Gagnon" in page  # Bob's own records, older than Alice's changes
    assert "Tremblay" not in page and not any(markers(page))


def test_BEY_6_the_history_pages_in_english(client, alice, when):
    busy(alice, when, 60)
    client.cookies["mondossier_langue"] = "en"
    client.force_login(alice.user)
    first = client.get(reverse("dossier:history")).content.decode()
    assert 'aria-label="History pages"' in first and "Page 1" in first
    second = client.get(link(first, "Older changes")).content.decode()
    assert link(second, "Newer changes") is not None and "Page 2" in second
    assert "Pages de l" not in second and "Changements plus" not in second
    assert "No older changes." in client.get(reverse("dossier:history") + "?avant=1.professional.1&page=9").content.decode()
