from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.exchange.qdpx_export import export_qdpx
from interviews.models import Project


class Command(BaseCommand):
    help = "Export a project as a REFI-QDA project file (.qdpx)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the project's short name")
        parser.add_argument("file", help="where to write the .qdpx file")

    def handle(self, *args, slug, file, **options):
        project = Project.objects.filter(slug=slug).first()
        if project is None:
            raise CommandError(f"There is no project “{slug}”.")
        data, warnings = export_qdpx(project)
        Path(file).write_bytes(data)
        for warning in warnings:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"Wrote {file} ({len(data):,} bytes)."))
