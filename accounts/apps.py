from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与参保登记"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import checks  # noqa: F401  (registers the demo-device checks)
        from .acting import household_changed, household_person_changed
        from .models import Guardianship, InsuredPerson, ProxyGrant

        for model in (Guardianship, ProxyGrant):
            post_save.connect(household_changed, sender=model, dispatch_uid=f"household-{model.__name__}-save")
            post_delete.connect(household_changed, sender=model, dispatch_uid=f"household-{model.__name__}-delete")
        post_save.connect(household_person_changed, sender=InsuredPerson, dispatch_uid="household-person-save")
