from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from policies.coverage import coverage_markdown

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "docs" / "policy-coverage.md"


class Command(BaseCommand):
    help = "Write the policy coverage table (docs/policy-coverage.md) from the loaded policy data."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Where to write the Markdown table.")

    def handle(self, *args, output: Path, **options):
        output.write_text(coverage_markdown(), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Policy coverage written to {output}."))
