"""`manage.py train_suggestions <project-slug>`: train a new suggestion model version."""

from django.core.management.base import BaseCommand, CommandError

from interviews.models import Project

from ...access import project_enabled, site_enabled
from ...training import NothingToLearn, train_project_model


class Command(BaseCommand):
    help = "Train a new suggestion model on a project's codings and print its figures."

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's short name (slug)")

    def handle(self, *args, project: str, **options):
        found = Project.objects.filter(slug=project).first()
        if found is None:
            raise CommandError(f"No project “{project}”.")
        if not site_enabled() or not project_enabled(found):
            raise CommandError("Suggestions are off (SUGGESTIONS_ENABLED or the project setting).")

        def progress(step: str, fraction: float) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{fraction:4.0%} {step}")

        try:
            model = train_project_model(project_id=found.pk, progress=progress)
        except NothingToLearn as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Model v{model.number} of “{found.slug}”: {model.passages} passages, "
            f"{model.sources} sources, {model.units} units, {model.seconds:.1f} s; "
            f"default threshold {model.threshold:.2f}."
        )
        index = model.params["thresholds"].index(model.threshold)
        for row in model.figures.values():
            if row["status"] == "trained":
                precision, recall, f1 = row["grid"][index]
                figures = f"P {_fmt(precision)}  R {_fmt(recall)}  F1 {_fmt(f1)}"
            else:
                figures = f"no classifier ({row['status']})"
            self.stdout.write(
                f"  {row['name'][:40]:<40} {row['passages']:>4} passages "
                f"{row['sources']:>3} sources  {figures}"
            )


def _fmt(value) -> str:
    return "   —" if value is None else f"{value:.2f}"
