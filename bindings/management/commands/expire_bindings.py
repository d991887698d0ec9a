from django.core.management.base import BaseCommand

from bindings.services import bindings_expire


class Command(BaseCommand):
    help = "End active bindings whose end date has passed. Run once a day from cron."

    def handle(self, *args, **options):
        ended = bindings_expire()
        self.stdout.write(f"Ended {ended} binding(s) past their end date.")
