"""A back-office load (STF-1 and the Comptes tab at scale, issue 14): many files and many requests, and
one large file.

    manage.py generate_backoffice_load                       # 1,000,000 files, 200,000 requests
    manage.py generate_backoffice_load --files 300 --requests 600
    manage.py generate_backoffice_load --large-file          # and the large file (LargeFile, below)

What it writes, in one transaction (all or nothing):

- up to ten professions of its own, codes `charge-0` ... `charge-9`, one per 100,000 files (a licence
  number is unique per profession and has 5 digits);
- the files, each as opening a file leaves it (dossier.services.open_file and the personal account it
  creates): the Professional row, its correspondence address in force since the opening, its personal
  account (CPT-1, numbered with the professional number) and that account's statement settings ("not
  now", addressed to the correspondence address). No telephone, place, preference, payment settings or
  user: nobody signs in with them, and the payment run sees each personal account (paid by cheque). File
  i has the profession `charge-<i // 100000>`, the licence number `i % 100000` and the professional number
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

With --large-file, then, in a transaction of its own: the large professional (LargeFile: sign-in
LARGE_FILE_USERNAME / LARGE_FILE_PASSWORD, 50 places, 50 accounts, 500 messages, 450 history records over
8 years) and two colleagues (opened with open_file) who share its collective accounts.

On PostgreSQL the files, addresses and requests go through COPY (psycopg 3 `cursor.copy`), the personal
accounts and their statement settings are derived from them by INSERT ... SELECT (elsewhere: SQLite,
bulk_create in chunks and the same INSERT ... SELECT), and the tables are then vacuumed and analysed
(only ANALYZE when called inside a transaction, as in the tests), so that the planner sees the real
sizes.

Idempotent: when the load's professions already have files, it writes no file nor request (it says so,
with what is there); when the large file's user exists, no large file; and it exits successfully. Run
it on a throwaway database (scripts/bench.sh does).
"""
from __future__ import annotations

import json
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q

from comptes.constants import AccountKind, PaymentMode, ReceptionMode, StatementOption
from comptes.models import (
    AccountAddress,
    AccountMembership,
    BillingAccount,
    BillingAgency,
    FinancialInstitution,
    PaymentSettings,
    StatementSettings,
)
from comptes.selectors import account_ids_of
from comptes.request_kinds import BankTransferForm, CollectiveAddress, JoinCollective, OpenCollectiveAccount, OpenIndividualAccount
from dossier import kinds, numbers
from dossier.addresses import AddressInput
from dossier.constants import CHOOSABLE_KINDS, Channel, Language, ParticipationStatus, RemunerationMode, RequestStatus, TelephoneKind
from dossier.dated import IN_FORCE_REASON
from dossier.models import (
    CorrespondenceAddress,
    CorrespondencePreference,
    PlaceOfPractice,
    Profession,
    Professional,
    Request,
    Telephone,
    User,
)
from dossier.services import open_file
from notifications.models import SecureMessage
from comptes.request_kinds import CoordinatesForm
from dossier.request_kinds import ParticipationForm
from dossier.requests import due_date_for
from notifications.request_kinds import MessageToTheBoard
from ramq_portal import clock, filecache

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
STREETS = [
    ("rue Saint-Jean", "Québec", "G1R 1S2"), ("boulevard Laurier", "Québec", "G1V 2L8"), ("rue Sherbrooke Ouest", "Montréal", "H3A 1G1"),
    ("avenue du Mont-Royal Est", "Montréal", "H2J 1W9"), ("rue King Ouest", "Sherbrooke", "J1H 1P4"), ("boulevard des Forges", "Trois-Rivières", "G9A 2G8"),
    ("rue Racine Est", "Saguenay", "G7H 1R5"), ("boulevard de la Carrière", "Gatineau", "J8Y 6V4"), ("rue Saint-Germain Est", "Rimouski", "G5L 1A1"),
    ("boulevard Saint-Martin Ouest", "Laval", "H7M 3Y2"), ("rue Principale", "Granby", "J2G 2V1"), ("chemin Sainte-Foy", "Québec", "G1S 2J3"),
]
PERSONAL_ACCOUNT_NAME = "Finances personnelles"  # as comptes.services.create_personal_account names it
# The tables the load writes, analysed at the end so that the planner sees their real sizes.
ANALYZED = (
    Professional, Request, Profession, User, CorrespondenceAddress, BillingAccount, StatementSettings, PaymentSettings, AccountMembership,
    AccountAddress, PlaceOfPractice, Telephone, CorrespondencePreference, SecureMessage,
)
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
        parser.add_argument("--large-file", action="store_true",
                            help=f"also the large file: {LARGE_FILE_USERNAME}, {LARGE_FILE_PLACES} places, {LARGE_FILE_ACCOUNTS} accounts, "
                                 f"{LARGE_FILE_MESSAGES} messages, {LARGE_FILE_CHANGES} history records (once)")

    def handle(self, *args, files: int, requests: int, large_file: bool, **options):
        if not 1 <= files <= MAX_FILES:
            raise CommandError(f"--files must be between 1 and {MAX_FILES:,}")
        if requests < 0:
            raise CommandError("--requests must not be negative")
        self._load(files, requests)
        if large_file:
            self._large_file()

    def _load(self, files: int, requests: int) -> None:
        """The files (with what opening a file creates) and the requests, once."""
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
        now = clock.now()
        self._opened = [now - timedelta(days=d) for d in range(1, 3650, 7)]  # file i opened on _opened[i % len]
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
            self._write_personal_accounts(ids, professions, postgres)
            accounts_seconds = time.perf_counter() - step
        step = time.perf_counter()
        if postgres:
            self._analyze()
        analyze_seconds = time.perf_counter() - step
        total = time.perf_counter() - started
        self.stdout.write(
            f"Generated {files:,} files and {requests:,} requests in {total:.1f} s, each file with its address and personal account "
            f"(files {files_seconds:.1f} s, requests {requests_seconds:.1f} s, accounts {accounts_seconds:.1f} s, "
            f"{'VACUUM ANALYZE' if postgres and not connection.in_atomic_block else 'ANALYZE' if postgres else 'no ANALYZE'} "
            f"{analyze_seconds:.1f} s; {'COPY' if postgres else 'bulk_create'})."
        )

    def _large_file(self) -> None:
        """The large professional (LargeFile), once: when its user exists, nothing is written."""
        if User.objects.filter(username=LARGE_FILE_USERNAME).exists():
            self.stdout.write(f"The large file ({LARGE_FILE_USERNAME}) is already there: nothing generated.")
            return
        started = time.perf_counter()
        with transaction.atomic():
            professional = LargeFile(now=clock.now()).build()
        if connection.vendor == "postgresql":
            self._analyze()
        self.stdout.write(
            f"Generated the large file {professional.professional_number} (sign-in {LARGE_FILE_USERNAME}): "
            f"{professional.places_of_practice.count()} places, "
            f"{BillingAccount.objects.filter(pk__in=account_ids_of(professional)).count()} "
            f"accounts, {professional.secure_messages.count()} messages, {LARGE_FILE_CHANGES} history records "
            f"in {time.perf_counter() - started:.1f} s."
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
        now, opened = clock.now(), self._opened
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

    # --- what opening a file creates: the address, the personal account, its statement settings ---------------

    def _address_rows(self, ids: list[int]):
        """File i's correspondence address, in force since its file was opened (open_file records it so)."""
        for i, professional_id in enumerate(ids):
            street, city, postal_code = STREETS[i % len(STREETS)]
            opened_at = self._opened[i % len(self._opened)]
            yield {
                "professional_id": professional_id,
                "line1": f"{(i * 37) % 9999 + 1}, {street}",
                "line2": f"app. {i % 40 + 1}" if i % 6 == 1 else "",
                "city": city,
                "province": "QC",
                "postal_code": postal_code,
                "region": "",
                "country": "CA",
                "declared_agency_address": False,
                "effective_from": opened_at.date(),
                "recorded_at": opened_at,
                "cancelled_at": None,
                "in_force_recorded_at": opened_at,
            }

    def _write_personal_accounts(self, ids: list[int], professions: list, postgres: bool) -> None:
        """As dossier.services.open_file and comptes.services.create_personal_account leave a file: its
        correspondence address, in force since the opening; the personal account (CPT-1), numbered with the
        professional number, opened with the file; its statement settings, "not now" (ETC-2 c), addressed
        to the correspondence address. The addresses go through COPY (bulk_create elsewhere); the accounts
        and statement settings are derived from the rows in place by INSERT ... SELECT (no round trip)."""
        rows = self._address_rows(ids)
        if postgres:
            self._copy(CorrespondenceAddress, rows)
        else:
            self._bulk_create(CorrespondenceAddress, rows)
        quote = connection.ops.quote_name

        def columns(model, *names) -> str:
            return ", ".join(quote(model._meta.get_field(name).column) for name in names)

        professional, account, statement, address = (
            quote(model._meta.db_table) for model in (Professional, BillingAccount, StatementSettings, CorrespondenceAddress)
        )
        postal = ("line1", "line2", "city", "province", "postal_code", "region", "country")
        in_professions = ", ".join(["%s"] * len(professions))
        profession_ids = [p.pk for p in professions]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {account} ({columns(BillingAccount, 'professional', 'kind', 'number', 'name', 'opened_at', 'group_number', 'version')}) "
                f"SELECT p.id, %s, p.{quote('professional_number')}, %s, p.{quote('opened_at')}, '', 1 FROM {professional} p "
                f"WHERE p.{quote('profession_id')} IN ({in_professions})",
                [AccountKind.PERSONAL.value, PERSONAL_ACCOUNT_NAME, *profession_ids],
            )
            cursor.execute(
                f"INSERT INTO {statement} ({columns(StatementSettings, 'account', 'option', 'reception_mode', 'mandate_accepted', 'paper_requested', 'updated_at', *postal)}) "
                f"SELECT a.id, %s, '', %s, %s, a.{quote('opened_at')}, {', '.join(f'c.{quote(name)}' for name in postal)} "
                f"FROM {account} a JOIN {professional} p ON p.id = a.{quote('professional_id')} "
                f"JOIN {address} c ON c.{quote('professional_id')} = p.id "
                f"WHERE p.{quote('profession_id')} IN ({in_professions}) AND a.{quote('kind')} = %s",
                [StatementOption.NONE.value, False, False, *profession_ids, AccountKind.PERSONAL.value],
            )

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
            filecache.bump([filecache.STAFF_QUEUE])  # COPY is no ORM write: the queue's cached pages are told here
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
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in ANALYZED)
        with connection.cursor() as cursor:
            # VACUUM also sets the visibility map and hint bits, as autovacuum would later, mid-measurement;
            # it cannot run inside a transaction (the tests), where ANALYZE alone does.
            cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")


# --- the large file -----------------------------------------------------------------------------------------------

LARGE_FILE_USERNAME = "dentiste.volumineux"
LARGE_FILE_PASSWORD = "Volumineux-Dossier-2026!"
LARGE_FILE_EMAIL = "dentiste.volumineux@example.com"
LARGE_FILE_PROFESSION = "chirurgien-dentiste"
LARGE_FILE_LICENCE = "19050"
COMPANION_LICENCES = ("19051", "19052")  # two colleagues: members of its collective accounts, holders of two it joined
LARGE_FILE_PLACES = 50
LARGE_FILE_ACCOUNTS = 50  # the personal one, 39 individual and 8 collective ones it holds, 2 collective ones it joined
LARGE_FILE_HELD_COLLECTIVE = 8
LARGE_FILE_JOINED = 2
LARGE_FILE_MESSAGES = 500
LARGE_FILE_CHANGES = 450
LARGE_FILE_YEARS = 8
MESSAGE_SUBJECTS = [
    "Votre état de compte", "Avis de dépôt", "Réponse à votre demande", "Modification de votre entente",
    "Rappel : factures à transmettre dans les 90 jours", "Vos coordonnées bancaires ont été modifiées", "Infolettre de la Régie",
]


class LargeFile:
    """The large professional of the bench (issue 14): a dentist enrolled for years, who signs in with
    LARGE_FILE_USERNAME / LARGE_FILE_PASSWORD (activated email), with LARGE_FILE_PLACES places of practice,
    LARGE_FILE_ACCOUNTS billing accounts (administrative accounts with their memberships, statement settings,
    addresses and dated payment settings with encrypted bank accounts), LARGE_FILE_MESSAGES secure messages
    and exactly LARGE_FILE_CHANGES history records of its own (django-simple-history rows: its file, address,
    telephones, places, preferences, accounts and their settings), spread over LARGE_FILE_YEARS years.

    The changes are the ones the services make (same rows, reasons and authors: the professional online, an
    agent on a paper form, the system when a dated value comes into force; a new change cancels the pending
    one of its slot), written with the ORM at their own past moment (`_history_date`), since the services
    record "now". The last few changes are still pending (BEY-1)."""

    def __init__(self, *, now):
        self.rng = random.Random(SEED + 1)
        self.now = now
        self.today = now.date()
        self.start = now - timedelta(days=365 * LARGE_FILE_YEARS)
        self.changes = 0
        self.actions: list[tuple] = []  # (moment, sequence, callable)
        self.pending: dict[tuple, dict] = {}  # slot -> the pending row of a dated value and whether it was cancelled
        self.places: list = []
        self.openings: list[tuple] = []  # (opened moment, number) of its accounts, planned
        self.by_number: dict[str, BillingAccount] = {}  # its accounts, once opened
        self.phones: list = []

    # -- writing, with the history at the change's moment --------------------------------------------------

    def _save(self, row, moment, by, reason="", **kwargs):
        row._history_date, row._history_user, row._change_reason = moment, by, reason
        row.save(**kwargs)
        self.changes += 1
        return row

    def _delete(self, row, moment, by):
        row._history_date, row._history_user, row._change_reason = moment, by, None
        row.delete()
        self.changes += 1

    def _at(self, moment, action) -> None:
        self.actions.append((moment, len(self.actions), action))

    def _moment(self, first_day: int, last_day_before_now: int):
        """A working-hours moment between `first_day` days after the opening and `last_day_before_now`
        days before now."""
        span = (self.now - self.start).days - first_day - last_day_before_now
        day = self.start + timedelta(days=first_day + self.rng.randrange(span))
        return day.replace(hour=self.rng.randint(8, 19), minute=self.rng.randrange(60), second=self.rng.randrange(60), microsecond=0)

    def _dated(self, row, moment, by, reason, *, slot: tuple, prepare=None, offset: int | None = None) -> int:
        """Record a dated row at `moment` (in force `offset` days later), cancelling the pending row of
        its slot, and schedule its coming into force (as dossier.dated.bring_into_force records it).
        `prepare` completes the row when the change happens (its account exists by then). Returns the
        history records planned (a cancellation and the coming into force it prevents cancel out)."""
        offset = self.rng.randint(3, 14) if offset is None else offset
        row.effective_from = moment.date() + timedelta(days=offset)
        row.recorded_at = moment
        state = {"row": row, "cancelled": False}

        def record():
            if prepare is not None:
                prepare()
            earlier = self.pending.get(slot)
            if earlier is not None and not earlier["cancelled"] and earlier["row"].in_force_recorded_at is None:
                earlier["cancelled"] = True
                earlier["row"].cancelled_at = moment
                self._save(earlier["row"], moment, by, "Changement en attente annulé", update_fields=["cancelled_at"])
            self.pending[slot] = state
            self._save(row, moment, by, reason)

        def in_force(day_start):
            if not state["cancelled"]:
                row.in_force_recorded_at = day_start
                self._save(row, day_start, None, IN_FORCE_REASON, update_fields=["in_force_recorded_at"])

        self._at(moment, record)
        if row.effective_from <= self.today:
            day_start = datetime.combine(row.effective_from, dtime(0, 5), tzinfo=clock.QUEBEC)
            self._at(day_start, lambda: in_force(day_start))
            return 2
        return 1

    def _an_account(self, moment, *, administrative: bool = False) -> str:
        """The number of one of its accounts opened (planned) a day or more before `moment`."""
        numbers_ = [number for opened, number in self.openings if opened + timedelta(days=1) <= moment
                    and not (administrative and number == self.professional.professional_number)]
        return numbers_[self.rng.randrange(len(numbers_))]

    # -- the file ----------------------------------------------------------------------------------------------

    def build(self) -> Professional:
        profession = Profession.objects.get(code=LARGE_FILE_PROFESSION)
        number = numbers.professional_number(profession_digit=profession.number_digit, licence_number=LARGE_FILE_LICENCE)
        if Professional.objects.filter(Q(professional_number=number) | Q(profession=profession, licence_number=LARGE_FILE_LICENCE)).exists():
            raise CommandError(f"licence {LARGE_FILE_LICENCE} ({number}) is already on file: the large file needs it free")
        self.agent = User.objects.filter(is_staff=True, is_active=True, groups__name="agent").order_by("pk").first()
        self.institutions = list(FinancialInstitution.objects.order_by("number")) or [
            FinancialInstitution.objects.create(number="815", name="Fédération des caisses Desjardins du Québec")
        ]
        self.agencies = list(BillingAgency.objects.filter(is_active=True, agency_type__in=["ATD", "ISE"]).order_by("pk")[:5])
        self.companions = [self._companion(profession, licence, n) for n, licence in enumerate(COMPANION_LICENCES)]
        self.user = User.objects.create_user(
            username=LARGE_FILE_USERNAME, password=LARGE_FILE_PASSWORD, first_name="Geneviève", last_name="Lavoie-Beaulieu",
            email=LARGE_FILE_EMAIL,
        )
        self.professional = Professional(
            profession=profession, professional_number=number, licence_number=LARGE_FILE_LICENCE, last_name="Lavoie-Beaulieu",
            first_name="Geneviève", birth_date=date(1979, 6, 21), opened_at=self.start, language=Language.FRENCH,
            remuneration_mode=RemunerationMode.FEE_FOR_SERVICE, reference_number_issued_at=self.start,
        )
        planned = self._plan()
        self.actions.sort(key=lambda action: (action[0], action[1]))
        for _moment, _sequence, action in self.actions:
            action()
        if self.changes != planned or planned != LARGE_FILE_CHANGES:
            raise CommandError(f"the large file has {self.changes} history records, {planned} planned, {LARGE_FILE_CHANGES} wanted")
        self._messages()
        return self.professional

    def _companion(self, profession, licence: str, n: int) -> Professional:
        existing = Professional.objects.filter(profession=profession, licence_number=licence).first()
        if existing is not None:
            return existing
        address = AddressInput(line1=f"{200 + n}, boulevard Laurier", city="Québec", province="QC", postal_code="G1V 2L8")
        return open_file(profession=profession, licence_number=licence, last_name=("Côté", "Fortin")[n], first_name=("Olivier", "Maude")[n],
                         birth_date=date(1984 + n, 2, 3), language=Language.FRENCH, address=address, opened_by=None).professional

    def _plan(self) -> int:
        """Schedule every change; returns how many history records they write."""
        p, me = self.professional, self.user
        planned = 0
        t0 = self.start

        def open_file_():
            self._save(p, t0, None, "Ouverture du dossier")
            address = CorrespondenceAddress(professional=p, effective_from=t0.date(), recorded_at=t0, in_force_recorded_at=t0,
                                            **self._address(0))
            self._save(address, t0, None)
            self.pending[("address",)] = {"row": address, "cancelled": False}
            personal = BillingAccount(professional=p, kind=AccountKind.PERSONAL, number=p.professional_number,
                                      name=PERSONAL_ACCOUNT_NAME, opened_at=t0)
            self._save(personal, t0, None)
            self.by_number[personal.number] = personal
            self._save(StatementSettings(account=personal, updated_at=t0, **self._address(0)), t0, None)
        self._at(t0, open_file_)
        self.openings.append((t0, p.professional_number))
        planned += 4

        t1 = t0 + timedelta(days=10, hours=9)

        def enrol():
            Professional.objects.filter(pk=p.pk).update(user=self.user)
            p.user, p.reference_number_used_at, p.engagement_confirmed_at, p.registered_at = self.user, t1, t1, t1
            p.email, p.email_activated_at = LARGE_FILE_EMAIL, t1 + timedelta(minutes=7)
            self._save(p, t1, me, "Inscription à la RAMQ terminée")
            for kind, n in ((TelephoneKind.OFFICE, 100), (TelephoneKind.HOME, 199), (TelephoneKind.OTHER, 150)):
                self.phones.append(self._save(Telephone(professional=p, kind=kind, number=f"+1418555{n:04d}"), t1, me,
                                              "Changement de téléphone"))
            self.places.append(self._save(self._place(0, is_main=True), t1, me, "Coordonnées de pratique modifiées"))
        self._at(t1, enrol)
        planned += 5

        for n in range(1, LARGE_FILE_PLACES):
            moment = self._moment(20, 30)
            self._at(moment, lambda n=n, moment=moment: self.places.append(
                self._save(self._place(n), moment, me, "Coordonnées de pratique modifiées")))
            planned += 1

        # The administrative accounts, each opened by an agent, then given a bank account by the professional.
        individual = LARGE_FILE_ACCOUNTS - 1 - LARGE_FILE_HELD_COLLECTIVE - LARGE_FILE_JOINED
        first_individual = self._next_number("I")
        first_collective = self._next_number("C")
        for n in range(individual + LARGE_FILE_HELD_COLLECTIVE):
            collective = n >= individual
            number = f"C{first_collective + n - individual:06d}" if collective else f"I{first_individual + n:06d}"
            moment = self._moment(60, 60)
            self._at(moment, lambda n=n, number=number, collective=collective, moment=moment: self._open_account(n, number, collective, moment))
            self.openings.append((moment, number))
            planned += 5 if collective else 3
            planned += self._payment(number, moment + timedelta(days=self.rng.randint(1, 20), hours=1))
        for n, companion in enumerate(self.companions[:LARGE_FILE_JOINED]):
            number = f"C{first_collective + LARGE_FILE_HELD_COLLECTIVE + n:06d}"
            moment = self._moment(60, 60)
            self._at(moment, lambda companion=companion, number=number, moment=moment: self._join(companion, number, moment))
            planned += 1
        planned += self._payment(p.professional_number, self._moment(15, 60))

        # The last changes are still pending (BEY-1): an address, a bank account, a preference.
        final = self.now - timedelta(days=2)
        planned += self._address_change(final, offset=10)
        planned += self._payment(p.professional_number, final, offset=12)
        planned += self._preference_change(final, CHOOSABLE_KINDS[0], offset=10)

        # Everything else: the changes of years of practice, until LARGE_FILE_CHANGES.
        while planned < LARGE_FILE_CHANGES:
            left = LARGE_FILE_CHANGES - planned
            moment = self._moment(30, 30)
            roll = self.rng.random()
            if left >= 6 and roll < 0.1:
                planned += self._telephone_change(moment)
            elif left >= 2 and roll < 0.3:
                planned += self._address_change(moment)
            elif left >= 2 and roll < 0.45:
                planned += self._preference_change(moment, CHOOSABLE_KINDS[self.rng.randrange(len(CHOOSABLE_KINDS))])
            elif left >= 2 and roll < 0.6:
                planned += self._payment(self._an_account(moment), moment)
            elif left >= 2 and roll < 0.7:
                planned += self._account_address_change(moment)
            elif left >= 2 and roll < 0.78:
                planned += self._cell_change(moment)
            elif roll < 0.9:
                planned += self._place_change(moment)
            else:
                planned += self._statement_change(moment)
        return planned

    # -- the changes ----------------------------------------------------------------------------------------------

    def _address(self, n: int) -> dict:
        street, city, postal_code = STREETS[n % len(STREETS)]
        return {"line1": f"{(n * 53) % 2999 + 10}, {street}", "line2": f"bureau {n % 30 + 100}" if n % 4 == 1 else "", "city": city,
                "province": "QC", "postal_code": postal_code, "country": "CA"}

    def _place(self, n: int, is_main: bool = False) -> PlaceOfPractice:
        address = self._address(n + 7)
        return PlaceOfPractice(professional=self.professional, name=f"Clinique dentaire {address['city']} {n + 1}", is_main=is_main,
                               main_telephone=f"+1514555{n:04d}", **address)

    def _next_number(self, prefix: str) -> int:
        taken = BillingAccount.objects.filter(number__regex=rf"^{prefix}[0-9]{{6}}$").order_by("-number").values_list("number", flat=True).first()
        return int(taken[1:]) + 1 if taken else 1

    def _open_account(self, n: int, number: str, collective: bool, moment) -> None:
        account = BillingAccount(
            professional=self.professional, kind=AccountKind.COLLECTIVE if collective else AccountKind.INDIVIDUAL, number=number,
            name=f"Regroupement dentaire {n + 1}" if collective else f"Clinique dentaire {n + 1}", opened_at=moment,
            group_number=number[1:] if collective else "",
        )
        reason = "Compte ouvert à la demande du professionnel"
        self._save(account, moment, self.agent, reason)
        self._save(StatementSettings(account=account, updated_at=moment, **self._address(n + 3)), moment, self.agent)
        self._save(AccountAddress(account=account, effective_from=moment.date(), recorded_at=moment, in_force_recorded_at=moment,
                                  **self._address(n + 3)), moment, self.agent, reason)
        if collective:
            self._save(AccountMembership(account=account, professional=self.professional, joined_at=moment), moment, self.agent)
            companion = self.companions[n % len(self.companions)]
            self._save(AccountMembership(account=account, professional=companion, joined_at=moment), moment, self.agent)
        self.by_number[number] = account

    def _join(self, companion: Professional, number: str, moment) -> None:
        """A collective account a colleague holds (not counted: its history is the colleague's), which the
        large professional joins (counted)."""
        account = BillingAccount(professional=companion, kind=AccountKind.COLLECTIVE, number=number, name=f"Groupe {companion.last_name}",
                                 opened_at=moment - timedelta(days=30), group_number=number[1:])
        account._history_date = account.opened_at
        account.save()
        settings = StatementSettings(account=account, updated_at=account.opened_at, **self._address(11))
        settings._history_date = account.opened_at
        settings.save()
        membership = AccountMembership(account=account, professional=companion, joined_at=account.opened_at)
        membership._history_date = account.opened_at
        membership.save()
        self._save(AccountMembership(account=account, professional=self.professional, joined_at=moment), moment, self.agent,
                   "Demande acceptée : joindre un compte collectif")

    def _payment(self, number: str, moment, *, offset: int | None = None) -> int:
        """A change of payment settings of account `number` (PAI-4: in force at a later payment), mostly
        to a new bank account (encrypted; its last 3 digits beside it, as comptes.accounts.change_payment)."""
        transfer = self.rng.random() < 0.85
        bank_account = f"{self.rng.randrange(10**6, 10**9)}" if transfer else ""
        row = PaymentSettings(
            mode=PaymentMode.TRANSFER if transfer else PaymentMode.CHEQUE,
            institution=self.institutions[self.rng.randrange(len(self.institutions))] if transfer else None,
            transit=f"{self.rng.randrange(100000):05d}" if transfer else "", bank_account=bank_account,
            bank_account_last3=bank_account[-3:], personal_account_confirmed=transfer,
        )

        def prepare():
            row.account = self.by_number[number]
        return self._dated(row, moment, self.user, "Coordonnées de paiement modifiées", slot=("payment", number), prepare=prepare,
                           offset=self.rng.randint(7, 14) if offset is None else offset)

    def _address_change(self, moment, *, offset: int | None = None) -> int:
        by_form = self.rng.random() < 0.2
        row = CorrespondenceAddress(professional=self.professional, **self._address(self.rng.randrange(1000)))
        return self._dated(row, moment, self.agent if by_form else self.user,
                           "Formulaire 3102 accepté" if by_form else "Changement d'adresse de correspondance", slot=("address",), offset=offset)

    def _preference_change(self, moment, kind, *, offset: int | None = None) -> int:
        row = CorrespondencePreference(professional=self.professional, kind=kind,
                                       channel=Channel.POST if self.rng.random() < 0.5 else Channel.SECURE_MESSAGING)
        return self._dated(row, moment, self.user, "Préférence de correspondance modifiée", slot=("preference", kind), offset=offset)

    def _account_address_change(self, moment) -> int:
        number = self._an_account(moment, administrative=True)
        row = AccountAddress(**self._address(self.rng.randrange(1000)))

        def prepare():
            row.account = self.by_number[number]
        return self._dated(row, moment, self.agent, "Formulaire 3102 accepté", slot=("account address", number), prepare=prepare)

    def _telephone_change(self, moment) -> int:
        def change():
            kept = [(phone.kind, str(phone.number), phone.extension) for phone in self.phones]
            changed = self.rng.randrange(len(kept))
            kept[changed] = (kept[changed][0], f"+1{self.rng.choice(['418', '581', '819'])}555{self.rng.randrange(10000):04d}", kept[changed][2])
            for phone in self.phones:
                self._delete(phone, moment, self.user)
            self.phones = [self._save(Telephone(professional=self.professional, kind=kind, number=number, extension=extension), moment,
                                      self.user, "Changement de téléphone") for kind, number, extension in kept]
        self._at(moment, change)
        return 6

    def _cell_change(self, moment) -> int:
        confirmed = moment + timedelta(minutes=self.rng.randint(1, 9))

        def change():
            p = self.professional
            p.cell_number, p.cell_confirmed_at = f"+1418556{self.rng.randrange(10000):04d}", None
            self._save(p, moment, self.user, "Changement de cellulaire")
            p.cell_confirmed_at = confirmed
            self._save(p, confirmed, self.user, "Cellulaire confirmé")
        self._at(moment, change)
        return 2

    def _place_change(self, moment) -> int:
        def change():
            place = self.places[self.rng.randrange(len(self.places))]
            if self.rng.random() < 0.5:
                place.main_telephone = f"+1514556{self.rng.randrange(10000):04d}"
            else:
                place.line2 = f"bureau {self.rng.randint(100, 900)}"
            self._save(place, moment, self.user, "Coordonnées de pratique modifiées")
        self._at(moment, change)
        return 1

    def _statement_change(self, moment) -> int:
        number = self._an_account(moment)

        def change():
            settings = StatementSettings.objects.get(account=self.by_number[number])
            if self.agencies and settings.option == StatementOption.NONE:
                agency = self.agencies[self.rng.randrange(len(self.agencies))]
                settings.option, settings.agency, settings.reception_mode = StatementOption.AGENCY, agency, ReceptionMode.TELECOM
                settings.mandate_accepted = agency.agency_type == "ATD"
            elif settings.option == StatementOption.AGENCY:
                settings.option, settings.agency, settings.reception_mode, settings.mandate_accepted = StatementOption.NONE, None, "", False
            else:
                settings.paper_requested = not settings.paper_requested
            settings.updated_at = moment
            self._save(settings, moment, self.user, "Coordonnées d'état de compte modifiées")
        self._at(moment, change)
        return 1

    def _messages(self) -> None:
        """LARGE_FILE_MESSAGES messages from the Régie over the years, the latest few unread; all already
        announced (the notice sweep has nothing to send)."""
        moments = sorted(self._moment(12, 0) for _ in range(LARGE_FILE_MESSAGES))
        unread = 7
        SecureMessage.objects.bulk_create([
            SecureMessage(
                professional=self.professional, subject=MESSAGE_SUBJECTS[n % len(MESSAGE_SUBJECTS)],
                body=f"Bonjour Dre Lavoie-Beaulieu,\n\nCe message no {n + 1} concerne votre dossier.\n\nLa Régie de l'assurance maladie du Québec",
                created_at=moment, read_at=None if n >= LARGE_FILE_MESSAGES - unread else moment + timedelta(hours=5),
                notice_handled_at=moment + timedelta(minutes=10),
            )
            for n, moment in enumerate(moments)
        ])
