from django.core.management.base import BaseCommand

from interviews.demo import ACCOUNTS, PASSWORD, build_demo_corpus


class Command(BaseCommand):
    help = "Create the demo study (kesra-puncak) and its accounts. Safe to run again."

    def handle(self, *args, **options):
        demo = build_demo_corpus()
        if demo.created:
            self.stdout.write(self.style.SUCCESS(f"Created the demo study “{demo.project.slug}”."))
        else:
            self.stdout.write(f"The demo study “{demo.project.slug}” is already there.")
        self.stdout.write("Demo accounts (demo only; password for all: %s):" % PASSWORD)
        for username, name, role in ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role:<11} {name}")
