from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import ADMIN_PASSWORD, CITIES, CITY_NAMES, CLERK_PASSWORD, DEMO_PASSWORD, PEOPLE
from accounts.idnumbers import make_id_number
from accounts.models import InsuredPerson
from bindings.demo import demo_family_delegation, demo_pending_case
from bindings.ledger.money import yuan_to_fen
from bindings.roles import ensure_roles

User = get_user_model()


class Command(BaseCommand):
    help = "Create (or bring back) the demo registry, resident accounts, clerks and a superuser. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        for demo in PEOPLE:
            province, city, district = CITIES[demo.insured_city or demo.city]
            id_number = make_id_number(CITIES[demo.city][2], demo.birth, demo.seq)
            fields = {
                "name": demo.name,
                "phone": demo.phone,
                "scheme": demo.scheme,
                "category": demo.category,
                "status": demo.status,
                "province_code": province,
                "city_code": city,
            }
            # The balance is only an opening figure: afterwards it moves through the ledger, never reset here.
            person, _created = InsuredPerson.objects.update_or_create(
                id_number=id_number,
                defaults=fields,
                create_defaults={**fields, "balance_fen": yuan_to_fen(demo.balance_yuan)},
            )
            if demo.account:
                user, created = User.objects.get_or_create(
                    username=f"demo_{demo.key}",
                    defaults={"person": person, "phone": demo.phone, "first_name": demo.name},
                )
                if created or not user.has_usable_password():
                    user.set_password(DEMO_PASSWORD)
                    user.save()

        ensure_roles()
        reviewer, counter, supervisor_group = (Group.objects.get(name=n) for n in ("审核员", "窗口经办员", "主管"))
        for key, name in CITY_NAMES.items():
            clerk, created = User.objects.get_or_create(
                username=f"clerk_{key}",
                defaults={"is_staff": True, "first_name": f"{name}经办员", "region_code": CITIES[key][1]},
            )
            if created:
                clerk.set_password(CLERK_PASSWORD)
                clerk.save()
            clerk.groups.add(reviewer, counter)

        supervisor, created = User.objects.get_or_create(
            username="supervisor", defaults={"is_staff": True, "first_name": "经办主管"}
        )
        if created:
            supervisor.set_password(CLERK_PASSWORD)
            supervisor.save()
        supervisor.groups.add(supervisor_group)

        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.invalid", ADMIN_PASSWORD)
        self._pending_case()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(PEOPLE)} registry people, {len(CITY_NAMES)} clerks, 1 supervisor."
            )
        )

    def _pending_case(self):
        """One application waiting in 攀枝花's review queue (陈国栋 for his wife), made through the real services."""
        for made in (demo_pending_case(), demo_family_delegation()):
            if made:
                self.stdout.write(made)
