"""A back-office load for the request queue (STF-1 at scale): many files and many requests.

    manage.py generate_backoffice_load                       # 1,000,000 files, 200,000 requests
    manage.py generate_backoffice_load --files 300 --requests 600

What it writes, in one transaction (all or nothing):

- up to ten professions of its own, codes `charge-0` ... `charge-9`, one per 100,000 files (a licence
  number is unique per profession and has 5 digits);
- the files (Professional rows only: what the request queue shows; no address, telephone or billing
  account, so that the payment run and the professionals' pages do not see them). File i has the
  profession `charge-<i // 100000>`, the licence number `i % 100000` and the professional number
  profession digit + licence + a check digit that is deliberately wrong (the Luhn digit plus one):
  `numbers.professional_number` (open_file, the demo data, the tests' factories, the payment-run
  bench) only ever makes Luhn-valid numbers, so these can never clash with a real, demo or test file,
  and the licence numbers belong to the load's own professions;
- staff users `charge.agent01` ... (group *agent*) and `charge.superviseur1` ... (group *superviseur*),
  with no usable password;
- the requests: every kind and every status, received over the last two years, due on the date the
  processing delay gives (dossier.requests.due_date_for), spread over random files (a fixed seed, so
  the load is the same every time). Received ones are unassigned; those in progress or decided have an
  agent (any active staff user, the generated ones and those already there such as the demo agent);
  decided ones have a decision date and who decided, refused ones a reason; some open 2914 await the
  supervisor's approval; many open ones are overdue. No history rows are written. Payloads have the
  shape of the real ones, but a generated 2914 names no real billing account: the load is for the
  queue's listing, filters and searches, not for deciding its requests.

On PostgreSQL the rows go through COPY (psycopg 3 `cursor.copy`) and the tables are then vacuumed and
analysed (only ANALYZE when called inside a transaction, as in the tests), so that the planner sees
the real sizes; elsewhere (SQLite) through bulk_create in chunks.

Idempotent: when the load's professions already have files, it does nothing (it says so, with what is
there) and exits successfully. Run it on a throwaway database (scripts/bench.sh does).
"""
from __future__ import annotations

import json
import random
import time
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from comptes.request_kinds import BankTransferForm, CollectiveAddress, JoinCollective, OpenCollectiveAccount, OpenIndividualAccount
from dossier import kinds
from dossier.constants import Language, ParticipationStatus, RemunerationMode, RequestStatus
from dossier.models import Profession, Professional, Request, User
from comptes.request_kinds import CoordinatesForm
from dossier.request_kinds import ParticipationForm
from dossier.requests import due_date_for
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock

PROFESSION_PREFIX = "charge-"
FILES_PER_PROFESSION = 100_000  # 5-digit licence numbers
MAX_FILES = 10 * FILES_PER_PROFESSION  # one profession per profession digit
SEED = 20_261_124
CHUNK = 20_000

LAST_NAMES = [
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné", "Ouellet", "Pelletier",
    "Bélanger", "Lévesque", "Bergeron", "Leblanc", "Paquette", "Girard", "Simard", "Boucher", "Caron", "Beaulieu", "Cloutier",
    "Dubé", "Poirier", "Fournier", "Lapointe", "Leclerc", "Lefebvre", "Poulin", "Thibault", "St-Pierre", "Nadeau", "Martin",
    "Landry", "Martel", "Bédard", "Grenier", "Lessard", "Bernier", "Richard", "Michaud", "Hébert", "Desjardins", "Couture",
    "Turcotte", "Lachance", "Parent", "Blais", "Gosselin", "Savard", "Proulx", "Beaudoin", "Demers", "Perron", "Boudreau",
    "Lemieux", "Cyr", "Perreault", "Dufour", "Dion", "Mercier", "Bolduc", "Bérubé", "Boisvert", "Langlois", "Ménard",
    "Labelle", "Plante", "Vachon", "Bouchard-Roy", "Larouche", "Lemay", "Rousseau", "Vallée", "Thériault", "Duchesne",
    "Harvey", "Charbonneau", "Jean", "Lacroix", "Dumont", "Tanguay", "Guay", "Brassard", "Rioux", "Lepage", "Arsenault",
    "Chabot", "Goulet", "Trudel", "Gingras", "Houle", "Lalonde", "Drouin", "Vaillancourt", "Champagne", "Villeneuve", "Marcoux",
    "Nguyen", "Tran", "Diallo", "Haddad", "Khoury", "Joseph", "Pierre", "Smith", "Wilson", "Campbell", "MacDonald", "Cohen",
]
FIRST_NAMES = [
    "Marie", "Jean", "Sophie", "Louis", "Julie", "Marc", "Isabelle", "Pierre", "Catherine", "Martin", "Nathalie", "François",
    "Geneviève", "Éric", "Mélanie", "Stéphane", "Valérie", "Patrick", "Annie", "Simon", "Émilie", "Alexandre", "Karine",
    "Mathieu", "Chantal", "Philippe", "Caroline", "Sébastien", "Josée", "Nicolas", "Audrey", "Olivier", "Amélie", "Gabriel",
    "Camille", "Samuel", "Léa", "William", "Chloé", "Félix", "Rosalie", "Thomas", "Laurence", "Antoine", "Maude", "David",
]
STAFF_AGENTS = 20
STAFF_SUPERVISORS = 3
HISTORY_DAYS = 730


def _doubled(digit: int) -> int:
    return 2 * digit - 9 if digit >= 5 else 2 * digit


# Luhn sums of the two halves of a 6-digit body d1..d6 (the check digit comes after d6, so d6, d4
# and d2 are doubled): the low half d4 d5 d6 and the high half d1 d2 d3, for every value 0..999.
_LOW = [_doubled(n // 100) + n // 10 % 10 + _doubled(n % 10) for n in range(1000)]
_HIGH = [n // 100 + _doubled(n // 10 % 10) + n % 10 for n in range(1000)]


def professional_number(index: int) -> str:
    """File `index`'s professional number: profession digit + licence + the Luhn check digit plus one
    (so never a valid number, hence never one that open_file makes)."""
    # The 6-digit body is the index itself: its first digit is the profession digit (index // 100000),
    # the other five the licence number (index % 100000).
    check = (10 - (_HIGH[index // 1000] + _LOW[index % 1000]) % 10) % 10
    return f"{index:06d}{(check + 1) % 10}"


class Command(BaseCommand):
    help = ("Generate a back-office load: --files professionals (1,000,000) and --requests requests (200,000) of every kind "
            "and status, for the request queue. Does nothing when a load is already there.")

    def add_arguments(self, parser):
        parser.add_argument("--files", type=int, default=1_000_000, help="number of files (at most 1,000,000)")
        parser.add_argument("--requests", type=int, default=200_000, help="number of requests")

    def handle(self, *args, files: int, requests: int, **options):
        if not 1 <= files <= MAX_FILES:
            raise CommandError(f"--files must be between 1 and {MAX_FILES:,}")
        if requests < 0:
            raise CommandError("--requests must not be negative")
        existing = Professional.objects.filter(profession__code__startswith=PROFESSION_PREFIX)
        if existing.exists():
            self.stdout.write(
                f"A back-office load is already there ({existing.count():,} files, "
                f"{Request.objects.filter(professional__profession__code__startswith=PROFESSION_PREFIX).count():,} requests): "
                "nothing generated."
            )
            return
        postgres = connection.vendor == "postgresql"
        started = time.perf_counter()
        with transaction.atomic():
            professions = self._professions(files)
            staff = self._staff()
            step = time.perf_counter()
            self._write_files(files, professions, postgres)
            files_seconds = time.perf_counter() - step
            step = time.perf_counter()
            ids = list(
                Professional.objects.filter(profession__in=professions).order_by("professional_number").values_list("id", flat=True)
            )
            if len(ids) != files:
                raise CommandError(f"{len(ids)} files written instead of {files}")
            self._write_requests(requests, ids, staff, postgres)
            requests_seconds = time.perf_counter() - step
        step = time.perf_counter()
        if postgres:
            self._analyze()
        analyze_seconds = time.perf_counter() - step
        total = time.perf_counter() - started
        self.stdout.write(
            f"Generated {files:,} files and {requests:,} requests in {total:.1f} s "
            f"(files {files_seconds:.1f} s, requests {requests_seconds:.1f} s, "
            f"{'VACUUM ANALYZE' if postgres and not connection.in_atomic_block else 'ANALYZE' if postgres else 'no ANALYZE'} "
            f"{analyze_seconds:.1f} s; {'COPY' if postgres else 'bulk_create'})."
        )

    # --- reference rows -----------------------------------------------------------------------------------

    def _professions(self, files: int) -> list:
        professions = []
        for digit in range((files - 1) // FILES_PER_PROFESSION + 1):
            profession, _ = Profession.objects.get_or_create(
                code=f"{PROFESSION_PREFIX}{digit}",
                defaults={"name_fr": f"Profession de charge {digit}", "name_en": f"Load profession {digit}", "number_digit": str(digit)},
            )
            professions.append(profession)
        return professions

    def _staff(self) -> list[int]:
        """The ids of every active staff user, after adding the load's own agents and supervisors."""
        for role, prefix, count in (("agent", "charge.agent", STAFF_AGENTS), ("superviseur", "charge.superviseur", STAFF_SUPERVISORS)):
            group = Group.objects.get(name=role)
            for n in range(1, count + 1):
                user, created = User.objects.get_or_create(
                    username=f"{prefix}{n:02d}" if role == "agent" else f"{prefix}{n}",
                    defaults={"is_staff": True, "password": "!", "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
                              "last_name": f"Charge{n}"},
                )
                if created:
                    user.groups.add(group)
        return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk").values_list("pk", flat=True))

    # --- files --------------------------------------------------------------------------------------------

    def _file_rows(self, files: int, professions: list):
        now = clock.now()
        opened = [now - timedelta(days=d) for d in range(0, 3650, 7)]
        for i in range(files):
            participation = (ParticipationStatus.NON_PARTICIPANT if i % 97 == 13 else
                             ParticipationStatus.DISENGAGED if i % 211 == 7 else ParticipationStatus.PARTICIPANT)
            remuneration = (RemunerationMode.FIXED_FEES if i % 10 == 5 else
                            RemunerationMode.HOURLY if i % 10 == 7 else RemunerationMode.FEE_FOR_SERVICE)
            # The whole surname list for every profession; a compound surname for one file in seven.
            last = LAST_NAMES[(i * 7919) % len(LAST_NAMES)]
            if i % 7 == 3:
                last = f"{last}-{LAST_NAMES[(i * 104729) % len(LAST_NAMES)]}"
            yield {
                "profession_id": professions[i // FILES_PER_PROFESSION].pk,
                "professional_number": professional_number(i),
                "licence_number": f"{i % FILES_PER_PROFESSION:05d}",
                "last_name": last,
                "first_name": FIRST_NAMES[(i * 31) % len(FIRST_NAMES)],
                "birth_date": (now - timedelta(days=9000 + (i * 37) % 14000)).date(),
                "participation_status": str(participation),
                "pending_participation_status": "",
                "remuneration_mode": str(remuneration),
                "language": str(Language.ENGLISH if i % 5 == 4 else Language.FRENCH),
                "reference_number_hash": "",  # no live reference number: nobody can enrol with one
                "opened_at": opened[i % len(opened)],
                "sin": "",
                "sin_last3": "",
                "email": "",
                "newsletter_opt_out": False,
                "cell_number": "",
                "correspondence_version": 1,
                "practice_version": 1,
                "preferences_version": 1,
            }

    def _write_files(self, files: int, professions: list, postgres: bool) -> None:
        rows = self._file_rows(files, professions)
        if postgres:
            self._copy(Professional, rows)
        else:
            self._bulk_create(Professional, rows)

    # --- requests -----------------------------------------------------------------------------------------

    def _request_rows(self, count: int, ids: list[int], staff: list[int]):
        rng = random.Random(SEED)
        now = clock.now()
        codes = [kind.code for kind in kinds.registered()]
        due_dates: dict = {}
        payloads = {
            OpenIndividualAccount.code: lambda n: {"name": f"Clinique {n % 500}"},
            OpenCollectiveAccount.code: lambda n: {"name": f"Regroupement {n % 300}"},
            JoinCollective.code: lambda n: {"group_number": f"{500000 + n % 900}"},
            CollectiveAddress.code: lambda n: {"account": f"{700000 + n % 900}", "line1": f"{n % 999 + 1}, rue Principale",
                                                       "city": "Québec", "province": "QC", "postal_code": "G1R 2B5"},
            MessageToTheBoard.code: lambda n: {"subject": "Question sur mon dossier", "body": f"Bonjour, ma question no {n}."},
            CoordinatesForm.code: lambda n: {"line1": f"{n % 999 + 1}, boulevard Laurier", "line2": "", "city": "Québec",
                                              "province": "QC", "postal_code": "G1V 2L8", "email": ""},
            BankTransferForm.code: lambda n: {"account_id": 0, "institution": "815", "transit": f"{n % 99999:05d}", "last3": f"{n % 1000:03d}"},
            ParticipationForm.code: lambda n: {"status": ParticipationStatus.NON_PARTICIPANT if n % 2 else ParticipationStatus.DISENGAGED,
                                              "notice_date": (now - timedelta(days=n % 60)).date().isoformat()},
        }
        for n in range(count):
            kind = codes[n % len(codes)]
            received = now - timedelta(seconds=rng.randrange(HISTORY_DAYS * 86400))
            age = (now - received).days
            key = (kind, received.date())
            if key not in due_dates:
                due_dates[key] = due_date_for(kind, received.date())
            roll = rng.random()
            # Recent requests are mostly open; old ones mostly decided, with a few forgotten (overdue).
            open_share = 0.9 if age <= 14 else 0.5 if age <= 60 else 0.03
            if roll < open_share:
                status = RequestStatus.RECEIVED if roll < open_share * 0.55 else RequestStatus.IN_PROGRESS
            else:
                status = RequestStatus.REFUSED if roll > 0.8 + 0.2 * open_share else RequestStatus.ACCEPTED
            agent = None if status == RequestStatus.RECEIVED else staff[rng.randrange(len(staff))]
            decided = status in (RequestStatus.ACCEPTED, RequestStatus.REFUSED)
            decided_at = received + timedelta(days=rng.randint(0, max(0, min(age, 40))), hours=rng.randint(1, 8)) if decided else None
            if decided_at is not None and decided_at > now:
                decided_at = now
            prepared = kind == BankTransferForm.code and status == RequestStatus.IN_PROGRESS and n % 3 == 0
            make_payload = payloads.get(kind)
            payload = make_payload(n) if make_payload else {"formulaire": str(kind), "reference": f"P{n:07d}"}
            yield {
                "kind": str(kind),
                "professional_id": ids[rng.randrange(len(ids))],
                "payload": payload,
                "status": str(status),
                "received_at": received,
                "due_date": due_dates[key],
                "agent_id": agent,
                "decided_at": decided_at,
                "reason": "Pièce justificative manquante." if status == RequestStatus.REFUSED else "",
                "prepared_by_id": agent if prepared else None,
                "prepared_at": received + timedelta(days=1) if prepared else None,
                "decided_by_id": agent if decided else None,
                "sensitive": "",
                "outcome": {},
            }

    def _write_requests(self, count: int, ids: list[int], staff: list[int], postgres: bool) -> None:
        rows = self._request_rows(count, ids, staff)
        if postgres:
            self._copy(Request, ({**row, "payload": json.dumps(row["payload"]), "outcome": json.dumps(row["outcome"])} for row in rows))
        else:
            self._bulk_create(Request, rows)

    # --- writing ------------------------------------------------------------------------------------------

    def _copy(self, model, rows) -> None:
        """COPY the rows (dicts keyed by attname) into the model's table, in one stream."""
        first = next(rows, None)
        if first is None:
            return
        fields = {field.attname: field.column for field in model._meta.concrete_fields}
        names = list(first)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(fields[name]) for name in names)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
                copy.write_row([first[name] for name in names])
                for row in rows:
                    copy.write_row([row[name] for name in names])

    def _bulk_create(self, model, rows) -> None:
        chunk = []
        for row in rows:
            chunk.append(model(**row))
            if len(chunk) == CHUNK:
                model.objects.bulk_create(chunk)
                chunk = []
        if chunk:
            model.objects.bulk_create(chunk)

    def _analyze(self) -> None:
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (Professional, Request, Profession, User))
        with connection.cursor() as cursor:
            # VACUUM also sets the visibility map and hint bits, as autovacuum would later, mid-measurement;
            # it cannot run inside a transaction (the tests), where ANALYZE alone does.
            cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")
