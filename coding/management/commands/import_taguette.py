from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.exchange.command_report import owner_of, report_and_create
from coding.exchange.safety import ExchangeError
from coding.exchange.taguette import read_taguette


class Command(BaseCommand):
    help = (
        "Import a Taguette project file (project.sqlite3, from “Export project”) as a new project."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the Taguette project.sqlite3 file")
        parser.add_argument("--owner", help="username of the new project's admin")
        parser.add_argument("--dry-run", action="store_true", help="only report what is found")

    def handle(self, *args, file, owner=None, dry_run=False, **options):
        user = owner_of(owner)
        try:
            plan = read_taguette(Path(file).read_bytes())
        except (OSError, ExchangeError) as error:
            raise CommandError(getattr(error, "message", str(error))) from None
        report_and_create(self, plan, user, dry_run=dry_run)
