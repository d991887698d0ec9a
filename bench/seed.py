"""Seed the benchmark database: 100,000 registry people and 50,000 submitted bindings, in bulk, then the users.

    DJANGO_SETTINGS_MODULE=bench.settings DATABASE_URL=.../hall_bench python bench/seed.py OUT.json

Run by bench/run.py after migrate, load_policies and seed_demo. The bulk rows go in with PostgreSQL's COPY
(every concrete column of the model, defaults from the model, so a column added later needs no change here);
the few rows the benchmark signs in with are made through the real services. Writes the session cookies, CSRF
secrets and URLs the load generator needs to OUT.json.
"""

# ruff: noqa: E402 - Django is set up before the project's modules are imported
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

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.demo import CITIES, PEOPLE
from accounts.idnumbers import make_id_number
from accounts.models import InsuredPerson
from bindings import services
from bindings.models import Application, Binding, BindingEvent, Status
from bindings.services import RelativeInput

User = get_user_model()
PEOPLE_TOTAL = int(os.environ.get("BENCH_PEOPLE", 100_000))
BINDINGS_TOTAL = int(os.environ.get("BENCH_BINDINGS", 50_000))
PRECHECK_USERS = 8
CITY_KEYS = ["yichun", "panzhihua", "luzhou", "guigang", "hengyang", "xiangtan"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英小宇德福建华桂兰志强芳国栋帆伟子轩洋军敏丽华明红霞平刚玉兰静"
rng = random.Random(2026)


def name() -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def copy_rows(model, rows: list[dict]) -> None:
    """COPY rows into the model's table: every concrete column, the model's default where a row has none."""
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {}
    for field in fields:
        if field.has_default():
            defaults[field.attname] = field.get_default()
        elif field.null:
            defaults[field.attname] = None
        elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
            defaults[field.attname] = ""
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as cp:
        for row in rows:
            values = []
            for field in fields:
                value = row[field.attname] if field.attname in row else defaults[field.attname]
                values.append(field.get_db_prep_save(value, connection))
            cp.write_row(values)


def next_ids(model, n: int) -> range:
    """Reserve n primary keys from the table's sequence (COPY then carries explicit ids)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
        ids = [row[0] for row in cursor.fetchall()]
    return range(ids[0], ids[0] + n) if ids == list(range(ids[0], ids[0] + n)) else ids


def seed_bulk() -> dict:
    """People (half 职工医保 authorizers, half 居民医保 relatives) and one submitted binding per pair."""
    started = time.perf_counter()
    now = timezone.now()
    person_ids = next_ids(InsuredPerson, PEOPLE_TOTAL)
    people = []
    base = date(1940, 1, 1)
    for n, pk in enumerate(person_ids):
        city = CITY_KEYS[n % len(CITY_KEYS)]
        province, city_code, district = CITIES[city]
        employee = n % 2 == 0
        # Unique per (district, birth, sequence): sequences 500+ never meet the demo people's.
        birth = base + timedelta(days=(n // len(CITY_KEYS)) % 24_000)
        sequence = 500 + (n // (len(CITY_KEYS) * 24_000))
        id_number = make_id_number(district, birth, sequence)
        people.append(
            {
                "id": pk,
                "id_number": id_number,
                "name": name(),
                "sex": "M" if int(id_number[16]) % 2 else "F",
                "birth_date": birth,
                "phone": "",
                "scheme": "employee" if employee else "resident",
                "category": "employed" if employee else "",
                "status": "normal",
                "province_code": province,
                "city_code": city_code,
                "balance_fen": rng.randrange(0, 1_000_000) if employee else 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    copy_rows(InsuredPerson, people)

    clerk = User.objects.get(username="admin")
    pairs = [(people[2 * i], people[2 * i + 1]) for i in range(BINDINGS_TOTAL)]
    app_ids = next_ids(Application, len(pairs))
    binding_ids = next_ids(Binding, len(pairs))
    event_ids = next_ids(BindingEvent, len(pairs))
    applications, bindings, events = [], [], []
    for i, ((authorizer, relative), app_pk, binding_pk, event_pk) in enumerate(
        zip(pairs, app_ids, binding_ids, event_ids, strict=True)
    ):
        submitted = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        channel = rng.choice(["online_hall", "app", "wechat", "alipay", "counter"])
        applications.append(
            {
                "id": app_pk,
                "case_number": f"GJ{submitted:%Y%m%d}9{i:05d}",
                "authorizer_id": authorizer["id"],
                "created_by_id": clerk.pk,
                "channel": channel,
                "city_code": authorizer["city_code"],
                "notice_agreed_at": submitted,
                "commitment_agreed_at": submitted,
                "created_at": submitted,
                "submitted_at": submitted,
            }
        )
        bindings.append(
            {
                "id": binding_pk,
                "application_id": app_pk,
                "authorizer_id": authorizer["id"],
                "relative_id": relative["id"],
                "relationship": rng.choice(["spouse", "parent", "child"]),
                "status": Status.SUBMITTED,
                "needs_review": True,
                "created_at": submitted,
                "submitted_at": submitted,
            }
        )
        events.append(
            {
                "id": event_pk,
                "binding_id": binding_pk,
                "actor_role": "authorizer",
                "from_status": Status.DRAFT,
                "to_status": Status.SUBMITTED,
                "channel": channel,
                "created_at": submitted,
            }
        )
    copy_rows(Application, applications)
    copy_rows(Binding, bindings)
    copy_rows(BindingEvent, events)
    with connection.cursor() as cursor:
        for model in (InsuredPerson, Application, Binding, BindingEvent):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return {"people": len(people), "bindings": len(bindings), "seconds": time.perf_counter() - started}


def photo(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (1600, 1200), (236, 232, 220))
    ImageDraw.Draw(image).text((80, 80), text, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile("proof.jpg", out.getvalue(), content_type="image/jpeg")


def demo_person(key: str) -> InsuredPerson:
    demo = next(p for p in PEOPLE if p.key == key)
    return InsuredPerson.objects.get(id_number=make_id_number(CITIES[demo.city][2], demo.birth, demo.seq))


def wang_jianguo_family() -> dict:
    """王建国 binds his wife and his brother through the real flow, with proof: his pages have rows and a document."""
    user = User.objects.get(username="demo_wang_jianguo")
    application = services.application_start(authorizer=user.person, actor=user)
    # Not his son 王小宇: in the demo his grandfather 王德福 already shares with him (one authorizer per relative).
    for key, relationship in (("li_xiuying", "spouse"), ("wang_jianhua", "sibling")):
        relative = demo_person(key)
        data = RelativeInput("resident_id", relative.id_number, relative.name, relationship)
        result = services.binding_add_relative(application=application, data=data, actor=user)
        assert result.binding is not None, [r.message for r in result.verdict.reasons]
        for requirement in result.verdict.proof:
            if requirement.upload_required:
                services.document_add(binding=result.binding, kind=requirement.kind, upload=photo(key), actor=user)
    services.application_submit(application=application, actor=user, commitment=True)
    document = application.bindings.first().documents.first()
    return {"user": user, "document": str(document.pk)}


def precheck_users() -> list[dict]:
    """Residents with a draft application and a relative to pre-check, one per concurrent POST stream."""
    out = []
    for i in range(PRECHECK_USERS):
        # One of the bulk authorizers (each already has a submitted binding), old enough to have a child of 12.
        authorizer = InsuredPerson.objects.filter(
            city_code="360900",
            scheme="employee",
            status="normal",
            account__isnull=True,
            birth_date__lt=date(1985, 1, 1),
            bindings_as_authorizer__status=Status.SUBMITTED,
        ).order_by("id")[i]
        user = User.objects.create_user(f"bench_precheck_{i}", password=None, person=authorizer)
        candidate = InsuredPerson.objects.create(
            id_number=make_id_number("360902", date(2012, 1, 1) + timedelta(days=i), 900 + i),
            name=name(),
            scheme="resident",
            category="",
            province_code="360000",
            city_code="360900",
        )
        application = services.application_start(authorizer=authorizer, actor=user)
        out.append({"user": user, "case": application.case_number, "candidate": candidate})
    return out


def session_for(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.IdentifierPasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def main(out_path: str) -> None:
    bulk = seed_bulk()
    family = wang_jianguo_family()
    resident = family["user"]
    admin = User.objects.get(username="admin")
    prechecks = precheck_users()
    csrf = _get_new_csrf_string()
    result = {
        "seed": bulk,
        "counts": {
            "people": InsuredPerson.objects.count(),
            "bindings": Binding.objects.count(),
            "submitted": Binding.objects.filter(status=Status.SUBMITTED).count(),
        },
        "csrf": csrf,
        "resident_session": session_for(resident),
        "admin_session": session_for(admin),
        "document": family["document"],
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
    }
    Path(out_path).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"seeded {bulk['people']:,} people and {bulk['bindings']:,} bindings in {bulk['seconds']:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1])
