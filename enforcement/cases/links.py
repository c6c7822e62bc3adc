"""Where a case came from and what was done beside it: reads for the case page and the case API.

A case may come from an inspection record (the record's "case lead" action) or from a warning
that was not corrected (the warning's re-check), which may itself come from an inspection
record; coercive measures and applications to the court are taken under it. Each list holds
only the rows the reader may see under that row's own scope (``visible_to`` of its model), so a
judicial reviewer assigned to a case file sees its warnings but no link to a coercive measure
they could not open. Four queries, whatever the number of links.

The other direction (a record, warning, measure or execution pointing at its case) asks
:func:`visible_case`, so those pages do not link to a case the reader would get a 404 for.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from enforcement.cases.models import Case
from enforcement.coercion.models import CoerciveMeasure, Execution
from enforcement.inspections.models import InspectionRecord
from enforcement.warnings.models import WarningNotice


@dataclass(frozen=True)
class CaseLinks:
    records: list[InspectionRecord]
    warnings: list[WarningNotice]
    measures: list[CoerciveMeasure]
    executions: list[Execution]

    def __bool__(self) -> bool:
        return bool(self.records or self.warnings or self.measures or self.executions)


def case_links(case: Case, user) -> CaseLinks:
    """The records and warnings ``case`` came from, its measures and executions, as far as ``user`` may see them."""
    records = (
        InspectionRecord.objects.visible_to(user)
        # The record of the case lead, and the record a warning that became this case was issued from.
        .filter(Q(case=case) | Q(pk__in=WarningNotice.objects.filter(case=case, record__isnull=False).values("record")))
        .select_related("object", "agency")
        .order_by("checked_on", "pk")
    )
    warnings = WarningNotice.objects.visible_to(user).filter(case=case).select_related("agency").order_by(
        "issued_on", "pk"
    )
    measures = CoerciveMeasure.objects.visible_to(user).filter(case=case).order_by("created_at", "pk")
    executions = Execution.objects.visible_to(user).filter(case=case).order_by("created_at", "pk")
    return CaseLinks(list(records), list(warnings), list(measures), list(executions))


def visible_case(user, case_id: int | None) -> Case | None:
    """The case ``case_id`` when ``user`` may open it, else None (one query; none without a case)."""
    if case_id is None:
        return None
    fields = ("pk", "number", "filing_number", "decision_number")
    return Case.objects.visible_to(user).filter(pk=case_id).only(*fields).first()


def visible_case_ids(user, case_ids) -> set[int]:
    """Which of ``case_ids`` ``user`` may open (one query for a whole page of a list; none when empty)."""
    wanted = {pk for pk in case_ids if pk is not None}
    if not wanted:
        return set()
    return set(Case.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
