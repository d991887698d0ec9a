from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.loading import DATA_DIR, PolicyDataError
from policies.services import load_policies


class Command(BaseCommand):
    help = "Load regions and policy versions from policies/data/*.yaml (validated; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=DATA_DIR, help="Directory holding the YAML files.")
        parser.add_argument(
            "--overwrite", action="store_true", help="Also overwrite versions that were edited in the admin."
        )

    def handle(self, *args, dir: Path, overwrite: bool, **options):
        try:
            report = load_policies(directory=dir, overwrite=overwrite)
        except PolicyDataError as exc:
            raise CommandError(f"Policy data in {dir} is invalid:\n{exc}") from exc
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(
            self.style.SUCCESS(
                f"Policies loaded: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(report.deleted)} deleted."
            )
        )
