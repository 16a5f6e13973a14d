"""What the project-import commands share: the owner option and the report they print."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from coding.exchange.create import create_project_from_plan
from coding.exchange.plan import coder_rows


def owner_of(username: str | None):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"There is no user “{username}”.")
    return user


def report_and_create(command, plan, owner, *, dry_run: bool = False):
    write = command.stdout.write
    write(f"Project: {plan.name}")
    for label, count in plan.summary():
        write(f"  {label}: {count}")
    for coder in coder_rows(plan):
        write(
            f"  coder {coder['refi_id']!r} ({coder['codings']} codings, {coder['memos']} memos)"
            " -> a placeholder coder of the new project"
        )
    if plan.unused_users:
        write("  users without codings, not carried over: " + ", ".join(plan.unused_users))
    for title, items in (
        ("Problems", plan.problems),
        ("Not carried over", plan.not_carried),
        ("Worth knowing", plan.notes),
    ):
        if items:
            write(f"{title}:")
            for item in items:
                write(f"  - {item}")
    if dry_run:
        write("Dry run: nothing was saved.")
        return None
    result = create_project_from_plan(plan=plan, owner=owner)
    for message in result.messages:
        write(message)
    if result.placeholders:
        write("Placeholder coders (they cannot sign in): " + ", ".join(result.placeholders))
    command.stdout.write(
        command.style.SUCCESS(f"Imported as “{result.project.slug}” (id {result.project.pk}).")
    )
    return result
