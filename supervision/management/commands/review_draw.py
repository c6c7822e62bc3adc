"""Show or check the draw of a review plan: ``manage.py review_draw PLAN_ID [--check]``.

``--check`` recomputes the draw from the plan's seed (the algorithm in
``supervision.services.plans``) and exits with status 1 when it differs from
the files and reviewers stored, so anyone can verify the sample was random.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enforcement.errors import DomainError
from supervision.models import ReviewPlan
from supervision.services.plans import compute_draw, draw_check, stored_draw


class Command(BaseCommand):
    help = "Print a review plan's draw, or recompute it from the stored seed and compare (--check)."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("--check", action="store_true", help="recompute and exit 1 on any difference")

    def handle(self, *args, plan_id: int, check: bool, **options):
        plan = ReviewPlan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(f"review plan {plan_id} does not exist")
        try:
            if not check:
                draw = stored_draw(plan) if plan.files.exists() else compute_draw(plan)
                self._print(draw)
                return
            if not plan.files.exists():
                raise CommandError(f"review plan {plan_id} has not been drawn yet")
            same, fresh, stored = draw_check(plan)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"seed {plan.seed}; stored {stored.digest}; recomputed {fresh.digest}")
        if not same:
            stored_rows = {(f.position, f.agency_id, f.case_id, tuple(f.reviewer_ids)) for f in stored.files}
            for f in fresh.files:
                if (f.position, f.agency_id, f.case_id, tuple(f.reviewer_ids)) not in stored_rows:
                    self.stderr.write(f"differs at position {f.position}: recomputed case {f.case_id} "
                                      f"reviewers {f.reviewer_ids}")
            raise CommandError("the stored draw differs from the recomputed one", returncode=1)
        self.stdout.write(self.style.SUCCESS(f"OK: {len(stored.files)} files, same draw"))

    def _print(self, draw) -> None:
        for f in draw.files:
            self.stdout.write(f"{f.position}\tagency {f.agency_id}\tcase {f.case_id}\treviewers {f.reviewer_ids}")
        self.stdout.write(f"digest {draw.digest}")
