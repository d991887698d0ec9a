"""Give the demo registry a ledger, so the usage and statement pages have something to show. Safe to run again.

Run after seed_demo (and load_policies). It
1. records every 职工医保 member's registry balance as an opening entry (or, when seed_demo has reset a balance
   since, an adjustment), so balance == sum(entries);
2. credits three months of own contributions to the employed demo members (the amount is demo payroll data,
   not policy); flexibly employed and retired members are skipped: the policy data has no number for them;
3. binds a few demo relatives through the binding services where they are not bound yet (proof photos are
   generated, clerks approve where the region reviews);
4. posts a few outpatient settlements a month for those relatives, paid from the shared balances;
5. adds a clearly labelled 演示标准 (is_demo, not policy) for next year's 居民医保 premium in 宜春, so 王建国 can
   pay his wife's premium in the demo (bindings/demo.py).
"""

import datetime
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.demo import CITIES, PEOPLE
from accounts.idnumbers import make_id_number
from accounts.models import InsuredPerson, Scheme
from bindings import services
from bindings.demo import demo_premium_standard
from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.ledger.selectors import ledger_sum_fen, month_start, previous_month
from bindings.ledger.settlement import Item, ItemKind, PlaceLocation, Visit
from bindings.models import Binding, Settlement, Status
from bindings.selectors import live_binding_with
from policies.choices import ChannelKind, InstitutionLevel
from policies.relationships import Relationship

User = get_user_model()

# Demo payroll: what the employer withholds as the member's own contribution each month (fen).
OWN_CONTRIBUTION_FEN = 15_600

# (authorizer key, relative key, relationship, visits per month: (day, level, drug 元, treatment 元, slip fund 元))
FAMILIES = [
    ("wang_jianguo", "li_xiuying", Relationship.SPOUSE, [(6, InstitutionLevel.PHARMACY, 86, 0, 0)]),
    # 王小宇 is bound to his grandfather (bindings/demo.py, the acting-for demo): one authorizer at a time.
    ("wang_defu", "wang_xiaoyu", Relationship.GRANDCHILD, [(15, InstitutionLevel.LEVEL2, 120, 60, 54)]),
    ("chen_zhiqiang", "liu_fang", Relationship.SPOUSE, [(9, InstitutionLevel.LEVEL3, 210, 40, 75)]),
    ("yang_fan", "wu_shuzhen", Relationship.PARENT, [(12, InstitutionLevel.COMMUNITY, 95, 20, 40)]),
    ("huang_wei", "huang_li", Relationship.SIBLING, [(18, InstitutionLevel.LEVEL1, 80, 30, 75)]),
    ("liu_yang", "deng_chunhua", Relationship.PARENT, [(3, InstitutionLevel.LEVEL2, 160, 50, 66)]),
]
MONTHS = 3


def _person(key: str) -> InsuredPerson | None:
    demo = next((p for p in PEOPLE if p.key == key), None)
    if demo is None:
        return None
    return InsuredPerson.objects.filter(id_number=make_id_number(CITIES[demo.city][2], demo.birth, demo.seq)).first()


def _photo(colour: int) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (230, 220 - colour * 20, 200)).save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("demo-proof.jpg", buffer.getvalue(), content_type="image/jpeg")


class Command(BaseCommand):
    help = "Opening entries, three months of credits and shared debits for the demo families. Safe to run again."

    def handle(self, *args, **options):
        today = timezone.localdate()
        months = [month_start(today)]
        for _ in range(MONTHS):
            months.insert(0, previous_month(months[0]))
        months = months[:MONTHS]  # the three months before this one
        opened = self._open(months[0])
        credits = self._credit(months)
        debits = self._share(months)
        made = demo_premium_standard(today)
        if made:
            self.stdout.write(made)
        mismatched = [
            p for p in InsuredPerson.objects.filter(scheme=Scheme.EMPLOYEE) if p.balance_fen != ledger_sum_fen(p)
        ]
        for person in mismatched:
            self.stderr.write(f"balance and ledger differ for person {person.pk}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger ready: {opened} opening/adjustment entries, {credits} monthly credits, {debits} settlements."
            )
        )

    def _open(self, on: datetime.date) -> int:
        count = 0
        for person in InsuredPerson.objects.filter(scheme=Scheme.EMPLOYEE).order_by("pk"):
            if ledger.ledger_open_balance(person=person, on=on) is not None:
                count += 1
        return count

    def _credit(self, months) -> int:
        count, skipped = 0, set()
        for demo in PEOPLE:
            person = _person(demo.key)
            if person is None or not person.has_personal_account or not person.is_insured_normally:
                continue
            for month in months:
                try:
                    ledger.ledger_credit_month(person=person, month=month, own_contribution_fen=OWN_CONTRIBUTION_FEN)
                except LedgerError as exc:
                    if exc.code == "credit_unstated" and demo.key not in skipped:
                        skipped.add(demo.key)
                        self.stdout.write(f"  {demo.name}: {exc.message}")
                    continue
                count += 1
        return count

    def _bind(self, authorizer, relative, relationship) -> Binding | None:
        today = timezone.localdate()
        existing = live_binding_with(authorizer=authorizer, relative=relative, on=today)
        if existing is not None:
            return existing if existing.status == Status.ACTIVE else None
        actor = User.objects.filter(person=authorizer).first() or User.objects.filter(is_superuser=True).first()
        if actor is None:
            return None
        try:
            with transaction.atomic():
                application = services.application_start(
                    authorizer=authorizer, actor=actor, channel=ChannelKind.COUNTER
                )
                data = services.RelativeInput(
                    id_type="resident_id",
                    id_number=relative.id_number,
                    name=relative.name,
                    relationship=relationship,
                    phone=relative.phone,
                )
                result = services.binding_add_relative(application=application, data=data, actor=actor)
                if result.binding is None:
                    reasons = "；".join(r.message for r in [*result.verdict.reasons, *result.problems])
                    self.stdout.write(f"  {authorizer.name} → {relative.name}: {reasons}")
                    raise LedgerError(reasons)
                binding = result.binding
                verdict = services.binding_verdict(binding=binding)
                for i, requirement in enumerate(verdict.proof):
                    if requirement.upload_required:
                        services.document_add(binding=binding, kind=requirement.kind, upload=_photo(i), actor=actor)
                services.application_submit(application=application, actor=actor, commitment=True)
                binding.refresh_from_db()
                # Regions that review: the city's clerk approves; a case that needs a second clerk gets the admin.
                clerks = [
                    *User.objects.filter(is_staff=True, region_code=authorizer.city_code).order_by("pk")[:1],
                    *User.objects.filter(is_superuser=True).order_by("pk")[:1],
                ]
                for clerk in clerks:
                    if binding.status != Status.SUBMITTED:
                        break
                    services.binding_approve(binding=binding, clerk=clerk, note="演示数据", channel=ChannelKind.COUNTER)
                    binding.refresh_from_db()
        except (LedgerError, services.BindingError) as exc:
            self.stdout.write(f"  {authorizer.name} → {relative.name}: {getattr(exc, 'message', exc)}")
            return None
        return binding

    def _share(self, months) -> int:
        count = 0
        for authorizer_key, relative_key, relationship, visits in FAMILIES:
            authorizer, relative = _person(authorizer_key), _person(relative_key)
            if authorizer is None or relative is None:
                continue
            binding = self._bind(authorizer, relative, relationship)
            if binding is None:
                continue
            for month in months:
                if Settlement.objects.filter(
                    patient=relative, service_date__year=month.year, service_date__month=month.month
                ).exists():
                    continue
                for day, level, drug, treatment, slip_fund in visits:
                    items = tuple(
                        Item(kind, yuan * 100)
                        for kind, yuan in ((ItemKind.DRUG, drug), (ItemKind.TREATMENT, treatment))
                        if yuan
                    )
                    try:
                        ledger.settlement_post(
                            patient=relative,
                            authorizer=authorizer,
                            visit=Visit(level, PlaceLocation.INSURED_CITY, False, items),
                            actor=None,
                            channel=ChannelKind.ONLINE_HALL,
                            declared_fund_fen=slip_fund * 100,
                            on=month.replace(day=day),
                        )
                    except LedgerError as exc:
                        self.stdout.write(f"  {relative.name} {month:%Y-%m}: {exc.message}")
                        continue
                    count += 1
        return count
