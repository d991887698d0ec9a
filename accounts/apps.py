from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户与参保登记"

    def ready(self):
        from . import checks  # noqa: F401  (registers the demo-device checks)
