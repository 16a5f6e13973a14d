from django.core.management.base import BaseCommand
from django.db import transaction

from coding.demo import code_demo_corpus
from interviews.demo import ACCOUNTS, PASSWORD, build_demo_corpus


class Command(BaseCommand):
    help = "Create the demo study (kesra-puncak) and its accounts. Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            demo = build_demo_corpus()
            count = code_demo_corpus(demo) if demo.created else 0
        if demo.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the demo study “{demo.project.slug}” with {count} codings."
                )
            )
        else:
            self.stdout.write(f"The demo study “{demo.project.slug}” is already there.")
        self.stdout.write(f"Demo accounts (demo only; the password of each is “{PASSWORD}”):")
        for username, name, role in ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role:<11} {name}")
