from django.apps import AppConfig


class BindingsConfig(AppConfig):
    name = "bindings"
    verbose_name = "家庭共济绑定"
