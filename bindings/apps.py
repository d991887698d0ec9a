from django.apps import AppConfig


class BindingsConfig(AppConfig):
    name = "bindings"
    verbose_name = "家庭共济绑定"

    def ready(self):
        from . import page_versions

        page_versions.connect()  # kept resident pages (config.pagecache) follow every write of what they show
