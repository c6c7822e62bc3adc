"""Build the annual disclosure report of a year: ``manage.py build_disclosure_report YEAR [--verify]``.

Idempotent: the first run creates the year's draft, later runs rebuild that
draft (the same figures when the data did not change); a reviewed or
published report is left alone. ``--verify`` then recounts every figure with
independent queries (supervision.disclosure.verify) and exits with status 1
on any difference. A year that has not ended is refused.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enforcement.errors import DomainError, InvalidTransition
from supervision.disclosure import services, verify


class Command(BaseCommand):
    help = "Build (or rebuild) the draft disclosure report of YEAR; --verify recounts every figure independently."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--verify", action="store_true", help="recount every figure and exit 1 on a difference")

    def handle(self, *args, year: int, verify: bool, **options):
        self.verbosity = options.get("verbosity", 1)
        try:
            report = services.report_build(year, progress=self._progress)
            self.stdout.write(
                f"{report}: v{report.version}, {report.get_status_display()}, "
                f"{report.build_seconds}s; missing: {', '.join(report.figures['missing']) or '-'}"
            )
        except InvalidTransition as exc:
            # Reviewed or published: nothing to build, the stored figures can still be verified.
            report = services.latest(year)
            self.stdout.write(str(exc))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        if verify:
            checked, problems = verify_report(report)
            for line in problems:
                self.stderr.write(line)
            if problems:
                raise CommandError(f"{len(problems)} of {checked} figures differ from the independent recount")
            self.stdout.write(f"verified: {checked} figures equal the independent recount")

    def _progress(self, done: int, total: int, step: str) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"  [{done}/{total}] {step}")


def verify_report(report):
    return verify.compare(report.figures, report.year)
