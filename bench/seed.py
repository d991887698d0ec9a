"""Seed the benchmark database: 100,000 registry people and 50,000 submitted bindings, in bulk, then the users.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=.../hall_bench python bench/seed.py OUT.json

Run by bench/run.py after migrate, load_policies and seed_demo. The bulk rows go in with PostgreSQL's COPY
(every concrete column of the model, defaults from the model, so a column added later needs no change here);
the few rows the benchmark signs in with are made through the real services. Writes the session cookies, CSRF
secrets and URLs the load generator needs to OUT.json.
"""

# ruff: noqa: E402 - Django is set up before the project's modules are imported
import functools
import io
import json
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.demo import CITIES, DEMO_PASSWORD, PEOPLE
from accounts.idnumbers import make_id_number
from accounts.models import AuditAction, AuditEntry, InsuredPerson
from accounts.stepup import StepUpMethod, step_up_record
from bindings import services
from bindings.models import Application, Binding, BindingEvent, Document, EntryKind, LedgerEntry, Status
from bindings.services import RelativeInput

User = get_user_model()
# Registry people; bindings, ledger entries and audit rows follow in proportion (see `plan`).
PEOPLE_TOTAL = int(os.environ.get("BENCH_PEOPLE", 100_000))
# Submitted cases waiting in the review queue, at most: the rest of the bindings are active.
PENDING_MAX = int(os.environ.get("BENCH_PENDING", 50_000))
PRECHECK_USERS = 8
# The concurrency phase: one pre-check stream per connection, and applications to submit at each level.
CONCURRENCY_MAX = int(os.environ.get("BENCH_CONCURRENCY_MAX", 64))
SUBMIT_POOL = [int(n) for n in os.environ.get("BENCH_SUBMIT_POOL", "32,128").split(",")]
CITY_KEYS = ["yichun", "panzhihua", "luzhou", "guigang", "hengyang", "xiangtan"]
CLERK_REGION = "360900"  # the clerk measured in the queue: 宜春, a sixth of the cases
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英小宇德福建华桂兰志强芳国栋帆伟子轩洋军敏丽华明红霞平刚玉兰静"
OPENING_DAY = date(2026, 1, 1)
CREDIT_MONTH = date(2026, 2, 1)
CREDIT_FEN = 12_345
rng = random.Random(2026)


def name() -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


# The bulk people's names come from a pool drawn once with `name` (a million rng draws cost seconds of Python).
NAME_POOL_SIZE = 4096
_name_pool: list[str] = []


def pooled_name(n: int) -> str:
    if not _name_pool:
        _name_pool.extend(name() for _ in range(NAME_POOL_SIZE))
    return _name_pool[(n * 2_654_435_761) % NAME_POOL_SIZE]


def plan(people: int, pending_max: int = PENDING_MAX) -> dict:
    """The bulk rows for `people` registry people: one binding per pair (an employee authorizer and a resident
    relative of the same city), the first `pending_max` submitted and the rest active; every authorizer has an
    opening entry and one monthly credit; one audit row per five bindings."""
    pairs = people // 2
    pending = min(pending_max, pairs)
    return {
        "people": people,
        "bindings": pairs,
        "submitted": pending,
        "active": pairs - pending,
        "events": pending + 2 * (pairs - pending),
        "ledger": 2 * ((people + 1) // 2),
        "audit": (pairs + 4) // 5,
    }


def copy_rows(model, rows) -> int:
    """COPY rows (dicts by attname) into the model's table: every concrete column, the model's default where a row
    has none. Rows may be a generator: nothing is held in memory but the row being written."""
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults, prepare = {}, []
    for field in fields:
        if field.has_default():
            defaults[field.attname] = field.get_default()
        elif field.null:
            defaults[field.attname] = None
        elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
            defaults[field.attname] = ""
        # psycopg adapts str, int, bool, date, datetime and None itself; JSON and UUIDs go through the field.
        prepare.append(field.get_internal_type() in ("JSONField", "UUIDField"))
    # A row is a copy of the defaults with its own values put in place.
    position = {f.attname: i for i, f in enumerate(fields)}
    blank = [defaults.get(f.attname) for f in fields]
    for i, (field, needs_prep) in enumerate(zip(fields, prepare, strict=True)):
        if needs_prep and field.attname in defaults:
            blank[i] = field.get_db_prep_save(defaults[field.attname], connection)
    prepared = {f.attname: f for f, p in zip(fields, prepare, strict=True) if p}
    n = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as cp:
        for row in rows:
            values = blank.copy()
            for attname, value in row.items():
                field = prepared.get(attname)
                values[position[attname]] = field.get_db_prep_save(value, connection) if field else value
            cp.write_row(values)
            n += 1
    return n


BULK_MODELS = (InsuredPerson, Application, Binding, BindingEvent, LedgerEntry, AuditEntry)


class bulk_load:
    """The seed's session for COPY, as pg_restore loads a dump: the rows first, then the indexes and the foreign keys
    in one pass each. No wait for the write-ahead log at each commit, memory for building indexes and joining.

    The bulk tables' plain indexes and their foreign keys are dropped for the load; primary keys, unique constraints
    and unique indexes (one live binding per relative, one opening and one credit a month per person), check
    constraints and the audit table's trigger stay in place while the rows go in. After it the indexes come back
    with their own definitions (pg_get_indexdef) and the foreign keys with theirs (pg_get_constraintdef, DEFERRABLE
    INITIALLY DEFERRED as Django makes them): ALTER TABLE ... ADD CONSTRAINT checks every row in one join, where the
    live constraint checked each row with its own query (and row lock) at the COPY's commit. Both come back also
    when the load fails. `foreign_keys=True` (BENCH_SEED_LIVE_FOREIGN_KEYS=1) keeps the foreign keys in place."""

    def __init__(self, models=BULK_MODELS, foreign_keys: bool = os.environ.get("BENCH_SEED_LIVE_FOREIGN_KEYS") == "1"):
        self.tables = [m._meta.db_table for m in models]
        self.live_foreign_keys = foreign_keys
        self.indexes: list[tuple[str, str]] = []
        self.foreign_keys: list[tuple[str, str, str]] = []
        self.rebuild_seconds = self.constraint_seconds = 0.0

    def __enter__(self):
        if connection.in_atomic_block:
            connection.check_constraints()  # see __exit__: no pending checks on a table being altered
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute("SET work_mem = '256MB'")
            cursor.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i
                   WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                   ORDER BY 1""",
                [self.tables],
            )
            self.indexes = cursor.fetchall()
            if not self.live_foreign_keys:
                cursor.execute(
                    """SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
                       FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2""",
                    [self.tables],
                )
                self.foreign_keys = cursor.fetchall()
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            for index, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {index}")
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None and connection.in_atomic_block:
            return False  # the transaction is broken: its rollback brings the indexes and constraints back
        mark = time.perf_counter()
        if connection.in_atomic_block:
            # Inside one transaction (the tests) deferred foreign keys' checks may still be queued, and PostgreSQL
            # alters or indexes no table with pending trigger events: run them now (SET CONSTRAINTS ALL IMMEDIATE,
            # then DEFERRED again).
            connection.check_constraints()
        with connection.cursor() as cursor:
            for _index, definition in self.indexes:
                cursor.execute(definition)
            self.rebuild_seconds = time.perf_counter() - mark
            mark = time.perf_counter()
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
            self.constraint_seconds = time.perf_counter() - mark
            for setting in ("synchronous_commit", "maintenance_work_mem", "work_mem"):
                cursor.execute(f"RESET {setting}")
        return False


def next_ids(model, n: int) -> range:
    """Reserve n consecutive primary keys from the table's sequence (COPY then carries explicit ids)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # Nobody else writes while the benchmark seeds: move the sequence past the block in one statement.
        cursor.execute(f"SELECT pg_get_serial_sequence('{table}', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT nextval('{sequence}')")
        first = cursor.fetchone()[0]
        if n > 1:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + n - 1])
    return range(first, first + n)


# accounts.idnumbers.make_id_number for a million people, with the weighted sums of its parts memoised (the same
# ISO 7064 MOD 11-2 check digit; tests/perf/test_bench_seed.py compares the two).
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # by the weighted sum modulo 11


def _weighted(digits: str, start: int) -> int:
    return sum(int(c) * w for c, w in zip(digits, ID_WEIGHTS[start:], strict=False))


@functools.cache
def _district(code: str) -> int:
    return _weighted(code, 0)


@functools.cache
def _birth(day: int) -> tuple[date, str, int]:
    birth = date(1940, 1, 1) + timedelta(days=day)
    digits = f"{birth:%Y%m%d}"
    return birth, digits, _weighted(digits, 6)


@functools.cache
def _sequence(sequence: int) -> tuple[str, int]:
    digits = f"{sequence:03d}"
    return digits, _weighted(digits, 14)


def bulk_id_number(district: str, day: int, sequence: int) -> tuple[date, str]:
    """The birth date (1940-01-01 + day) and the ID number `make_id_number(district, birth, sequence)`."""
    birth, birth_digits, birth_sum = _birth(day)
    sequence_digits, sequence_sum = _sequence(sequence)
    check = ID_CHECK[(_district(district) + birth_sum + sequence_sum) % 11]
    return birth, f"{district}{birth_digits}{sequence_digits}{check}"


def person_row(n: int, pk: int, now) -> dict:
    """Person n: pair n // 2 lives in one city; even n is the pair's employee authorizer, odd n the relative.
    ID numbers are unique per (city, birth, sequence); sequences 500+ never meet the demo people's."""
    pair, relative = divmod(n, 2)
    city = CITY_KEYS[pair % len(CITY_KEYS)]
    province, city_code, district = CITIES[city]
    index = 2 * (pair // len(CITY_KEYS)) + relative
    sequence = 500 + index // 24_000
    birth, id_number = bulk_id_number(district, index % 24_000, sequence)
    employee = not relative
    return {
        "id": pk,
        "id_number": id_number,
        "name": pooled_name(n),
        "sex": "M" if sequence % 2 else "F",
        "birth_date": birth,
        "phone": "",
        "scheme": "employee" if employee else "resident",
        "category": "employed" if employee else "",
        "status": "normal",
        "province_code": province,
        "city_code": city_code,
        "balance_fen": rng.randrange(2 * CREDIT_FEN, 1_000_000) if employee else 0,
        "created_at": now,
        "updated_at": now,
    }


def seed_bulk(people_total: int = PEOPLE_TOTAL, pending_max: int = PENDING_MAX, clerk=None) -> dict:
    """People, bindings with their events, ledger entries and audit rows, with COPY; see `plan` for the counts.

    The rows satisfy every constraint and trigger: one live binding per relative (each relative appears once),
    balance = the sum of the person's entries (opening + one credit), balance_after running, audit rows only
    inserted. The COPY runs in `bulk_load` (plain indexes and foreign keys after the rows); then the statistics."""
    started = time.perf_counter()
    with bulk_load() as load:
        counts, timings = copy_bulk(people_total, pending_max, clerk)
    timings["indexes"], timings["foreign_keys"] = load.rebuild_seconds, load.constraint_seconds
    mark = time.perf_counter()
    # VACUUM also sets the visibility map, so the queue's counts can be index-only scans; inside a transaction
    # (the tests) only ANALYZE is possible.
    analyze = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in BULK_MODELS:
            cursor.execute(f"{analyze} {model._meta.db_table}")
    timings["analyze"] = time.perf_counter() - mark
    return {**counts, "seconds": time.perf_counter() - started, "timings": timings}


def copy_bulk(people_total: int, pending_max: int, clerk=None) -> tuple[dict, dict]:
    """The COPY of `seed_bulk`: the counts of `plan` and the seconds each table took."""
    counts = plan(people_total, pending_max)
    now = timezone.now()
    clerk = clerk or User.objects.get(username="admin")
    person_ids = next_ids(InsuredPerson, people_total)
    pairs = counts["bindings"]
    app_ids, binding_ids = next_ids(Application, pairs), next_ids(Binding, pairs)
    event_ids = next_ids(BindingEvent, counts["events"])
    ledger_ids = next_ids(LedgerEntry, counts["ledger"])
    audit_ids = next_ids(AuditEntry, counts["audit"])
    people: list[tuple[int, str, int]] = []  # (id, city_code, balance): what the later tables need

    def people_rows():
        for n, pk in enumerate(person_ids):
            row = person_row(n, pk, now)
            people.append((pk, row["city_code"], row["balance_fen"]))
            yield row

    timings = {}
    mark = time.perf_counter()
    copy_rows(InsuredPerson, people_rows())
    timings["people"] = time.perf_counter() - mark

    cases = []  # (binding id, case number, city, status) for the audit rows

    def applications_and_bindings():
        applications, bindings = [], []
        for i in range(pairs):
            (authorizer, city_code, _balance), (relative, _c, _b) = people[2 * i], people[2 * i + 1]
            # As in a live system the waiting cases are the newest (the highest ids, the last 30 days); the
            # active ones were submitted and decided over the year before.
            pending = i >= pairs - counts["submitted"]
            days = 30 if pending else 400
            submitted = now - timedelta(minutes=rng.randrange(0, 60 * 24 * days))
            channel = rng.choice(["online_hall", "app", "wechat", "alipay", "counter"])
            case = f"GJ{submitted:%Y%m%d}9{i:07d}"
            applications.append(
                {
                    "id": app_ids[i],
                    "case_number": case,
                    "authorizer_id": authorizer,
                    "created_by_id": clerk.pk,
                    "channel": channel,
                    "city_code": city_code,
                    "notice_agreed_at": submitted,
                    "commitment_agreed_at": submitted,
                    "created_at": submitted,
                    "submitted_at": submitted,
                }
            )
            activated = submitted + timedelta(hours=4)
            bindings.append(
                {
                    "id": binding_ids[i],
                    "application_id": app_ids[i],
                    "authorizer_id": authorizer,
                    "relative_id": relative,
                    "region_code": city_code,  # the application's, as the service copies it
                    "relationship": rng.choice(["spouse", "parent", "child"]),
                    "status": Status.SUBMITTED if pending else Status.ACTIVE,
                    "needs_review": True,
                    "created_at": submitted,
                    "submitted_at": submitted,
                    "activated_at": None if pending else activated,
                    "start_date": None if pending else timezone.localtime(activated).date(),
                }
            )
            cases.append((binding_ids[i], case, city_code, pending, channel, submitted))
        return applications, bindings

    mark = time.perf_counter()
    applications, bindings = applications_and_bindings()
    copy_rows(Application, applications)
    copy_rows(Binding, bindings)
    del applications, bindings

    def events():
        ids = iter(event_ids)
        for binding_id, _case, _city, pending, channel, submitted in cases:
            yield {
                "id": next(ids),
                "binding_id": binding_id,
                "actor_role": "authorizer",
                "from_status": Status.DRAFT,
                "to_status": Status.SUBMITTED,
                "channel": channel,
                "created_at": submitted,
            }
            if not pending:
                yield {
                    "id": next(ids),
                    "binding_id": binding_id,
                    "actor_id": clerk.pk,
                    "actor_role": "clerk",
                    "from_status": Status.SUBMITTED,
                    "to_status": Status.ACTIVE,
                    "channel": channel,
                    "created_at": submitted + timedelta(hours=4),
                }

    copy_rows(BindingEvent, events())
    timings["bindings"] = time.perf_counter() - mark

    def ledger():
        ids = iter(ledger_ids)
        for pk, _city, balance in people:
            if not balance:
                continue
            opening = balance - CREDIT_FEN
            yield {
                "id": next(ids), "person_id": pk, "kind": EntryKind.OPENING, "amount_fen": opening,
                "balance_after_fen": opening, "occurred_on": OPENING_DAY, "description": "期初余额", "created_at": now,
            }  # fmt: skip
            yield {
                "id": next(ids), "person_id": pk, "kind": EntryKind.CREDIT, "amount_fen": CREDIT_FEN,
                "balance_after_fen": balance, "occurred_on": CREDIT_MONTH, "credit_month": CREDIT_MONTH,
                "description": "个人账户按月计入", "created_at": now,
            }  # fmt: skip

    mark = time.perf_counter()
    copy_rows(LedgerEntry, ledger())
    timings["ledger"] = time.perf_counter() - mark

    def audit_rows():
        ids = iter(audit_ids)
        for binding_id, case, city, pending, _channel, submitted in cases[::5]:
            yield {
                "id": next(ids),
                "actor_id": clerk.pk,
                "action": AuditAction.SEARCH if pending else AuditAction.APPROVE,
                "target": f"binding:{binding_id}",
                "case_number": case,
                "region_code": city,
                "created_at": submitted + timedelta(hours=4),
            }

    mark = time.perf_counter()
    copy_rows(AuditEntry, audit_rows())
    timings["audit"] = time.perf_counter() - mark
    return counts, timings


def photo(text: str, size=(1600, 1200)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (236, 232, 220))
    ImageDraw.Draw(image).text((80, 80), text, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("proof.jpg", out.getvalue(), content_type="image/jpeg")


def demo_person(key: str) -> InsuredPerson:
    demo = next(p for p in PEOPLE if p.key == key)
    return InsuredPerson.objects.get(id_number=make_id_number(CITIES[demo.city][2], demo.birth, demo.seq))


def wang_jianguo_family() -> dict:
    """王建国 binds his wife and his brother through the real flow, with proof: his pages have rows and a document.
    (seed_ledger may already have bound one of them: that one is kept as it is.)"""
    user = User.objects.get(username="demo_wang_jianguo")
    application = services.application_start(authorizer=user.person, actor=user)
    # Not his son 王小宇: in the demo his grandfather 王德福 already shares with him (one authorizer per relative).
    for key, relationship in (("li_xiuying", "spouse"), ("wang_jianhua", "sibling")):
        relative = demo_person(key)
        if Binding.objects.filter(relative=relative, status__in=[Status.ACTIVE, Status.SUBMITTED]).exists():
            continue
        data = RelativeInput("resident_id", relative.id_number, relative.name, relationship)
        result = services.binding_add_relative(application=application, data=data, actor=user)
        assert result.binding is not None, [r.message for r in [*result.verdict.reasons, *result.problems]]
        for requirement in result.verdict.proof:
            if requirement.upload_required:
                services.document_add(binding=result.binding, kind=requirement.kind, upload=photo(key), actor=user)
    if application.bindings.exists():
        services.application_submit(application=application, actor=user, commitment=True)
    document = Document.objects.filter(binding__authorizer=user.person).order_by("pk").first()
    return {"user": user, "document": str(document.pk), "binding": document.binding_id}


def precheck_users(
    count: int = PRECHECK_USERS, offset: int = 0, prefix: str = "bench_precheck", pairs: bool = False
) -> list[dict]:
    """Residents with a draft application and a relative to pre-check, one per concurrent POST stream. With
    `pairs` only the first of each two gets a new relative (candidate None for the second: they share it)."""
    authorizers = InsuredPerson.objects.filter(
        # Bulk authorizers of 宜春 (each already has a binding), old enough to have a child of 12.
        city_code="360900",
        scheme="employee",
        status="normal",
        account__isnull=True,
        birth_date__lt=date(1985, 1, 1),
        id__gte=FIRST_BULK_ID,
    ).order_by("id")[offset : offset + count]
    out = []
    for i, authorizer in enumerate(authorizers, start=offset):
        user = User.objects.create_user(f"{prefix}_{i}", password=None, person=authorizer)
        candidate = None
        if not (pairs and (i - offset) % 2):
            candidate = InsuredPerson.objects.create(
                id_number=make_id_number("360902", date(2012, 1, 1) + timedelta(days=i), 900),
                name=name(),
                scheme="resident",
                category="",
                province_code="360000",
                city_code="360900",
            )
        application = services.application_start(authorizer=authorizer, actor=user)
        out.append({"user": user, "case": application.case_number, "candidate": candidate})
    return out


def submit_pool(count: int, offset: int) -> list[dict]:
    """`count` applications ready to submit (a draft relative with its proof), in pairs of two authorizers asking
    for the same relative: submitted at the same moment, exactly one of each pair may win."""
    users = precheck_users(count, offset, prefix="bench_submit", pairs=True)
    out = []
    small = photo("proof", size=(480, 360)).read()  # a small scan: the pool is about the submit, not the upload
    for n, u in enumerate(users):
        if n % 2 == 0:
            relative = u["candidate"]  # the second of the pair asks for the same relative
        application = Application.objects.get(case_number=u["case"])
        data = RelativeInput("resident_id", relative.id_number, relative.name, "child")
        result = services.binding_add_relative(application=application, data=data, actor=u["user"])
        assert result.binding is not None, [r.message for r in result.verdict.reasons]
        for requirement in result.verdict.proof:
            if requirement.upload_required:
                upload = SimpleUploadedFile("proof.jpg", small, content_type="image/jpeg")
                services.document_add(binding=result.binding, kind=requirement.kind, upload=upload, actor=u["user"])
        out.append({"session": session_for(u["user"]), "path": f"/bindings/applications/{u['case']}/summary/",
                    "pair": n // 2})  # fmt: skip
    return out


def staff_users() -> dict:
    """The clerk of one city (审核员 of 宜春) and a supervisor (主管, every region), as the queue is really used."""
    from django.contrib.auth.models import Group

    clerk = User.objects.create_user("bench_clerk", password=None, is_staff=True, region_code=CLERK_REGION)
    clerk.groups.add(Group.objects.get(name="审核员"))
    supervisor = User.objects.create_user("bench_supervisor", password=None, is_staff=True, region_code="")
    supervisor.groups.add(Group.objects.get(name="主管"))
    case = (
        Binding.objects.filter(status=Status.SUBMITTED, application__city_code=CLERK_REGION)
        .order_by("submitted_at", "id")
        .values_list("pk", flat=True)[:1]
        .get()
    )
    return {"clerk": clerk, "supervisor": supervisor, "case": case}


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.IdentifierPasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def refresh_step_up(session_keys: list[str]) -> None:
    """A submission asks for a fresh identity check (SMS or face, STEP_UP_MAX_AGE): record one in each session
    just before the concurrency phase submits through it, as the resident's SMS code would."""
    for key in session_keys:
        session = SessionStore(session_key=key)
        user = User.objects.get(pk=session[SESSION_KEY])
        step_up_record(session, user=user, method=StepUpMethod.SMS)
        session.save()


FIRST_BULK_ID = 0  # set by main: the first registry id the bulk seed wrote


def main(out_path: str) -> None:
    global FIRST_BULK_ID
    FIRST_BULK_ID = InsuredPerson.objects.order_by("-id").values_list("id", flat=True).first() or 0
    bulk = seed_bulk()
    family = wang_jianguo_family()
    resident = family["user"]
    admin = User.objects.get(username="admin")
    prechecks = precheck_users(CONCURRENCY_MAX)
    staff = staff_users()
    pool = submit_pool(sum(SUBMIT_POOL), offset=CONCURRENCY_MAX)
    csrf = _get_new_csrf_string()
    result = {
        "seed": bulk,
        "counts": {
            "people": InsuredPerson.objects.count(),
            "bindings": Binding.objects.count(),
            "submitted": Binding.objects.filter(status=Status.SUBMITTED).count(),
            "clerk_submitted": Binding.objects.filter(
                status=Status.SUBMITTED, application__city_code=CLERK_REGION
            ).count(),
            "ledger": LedgerEntry.objects.count(),
            "audit": AuditEntry.objects.count(),
        },
        "csrf": csrf,
        "resident_session": session_for(resident),
        "admin_session": session_for(admin),
        "clerk_session": session_for(staff["clerk"]),
        "supervisor_session": session_for(staff["supervisor"]),
        "clerk_region": CLERK_REGION,
        "case": staff["case"],
        "document": family["document"],
        "binding": family["binding"],  # his binding with that document: the binding detail page
        # Signing in over HTTP (the scale-out checks): two demo residents with the demo password.
        "logins": [
            {"identifier": u.person.id_number, "password": DEMO_PASSWORD}
            for u in User.objects.filter(username__in=["demo_wang_jianguo", "demo_li_xiuying"]).order_by("-username")
        ],
        "axes_limit": settings.AXES_FAILURE_LIMIT,
        "prechecks": [
            {
                "session": session_for(p["user"]),
                "path": f"/bindings/applications/{p['case']}/relative/",
                "body": {
                    "id_type": "resident_id",
                    "id_number": p["candidate"].id_number,
                    "name": p["candidate"].name,
                    "relationship": "child",
                },
            }
            for p in prechecks
        ],
        # Slices of the pool, one per concurrency level: each application is submitted once.
        "submits": [pool[sum(SUBMIT_POOL[:i]) : sum(SUBMIT_POOL[: i + 1])] for i in range(len(SUBMIT_POOL))],
    }
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(
        f"seeded {bulk['people']:,} people, {bulk['bindings']:,} bindings, {bulk['ledger']:,} ledger entries and "
        f"{bulk['audit']:,} audit rows in {bulk['seconds']:.1f} s"
    )


if __name__ == "__main__":
    if sys.argv[1] == "--step-up":
        refresh_step_up(json.loads(Path(sys.argv[2]).read_text()))
    else:
        main(sys.argv[1])
