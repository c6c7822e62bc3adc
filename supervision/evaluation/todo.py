"""Evaluation on the to-do lists: a township's yearly evaluation forms of the officers stationed in it.

Read from live state: an officer leaves the list as soon as the township's form for the year is in.
Due on 31 December of the year (the form covers that year); yellow from the share of the year that
``WARNING_YELLOW_SHARE`` sets, red after it.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement import todo
from enforcement.models import Role
from enforcement.workdays import SHANGHAI
from supervision.evaluation.permissions import evaluating_townships
from supervision.evaluation.selectors import stationed_officers


@todo.provider("evaluation.township_officer_form", roles={Role.TOWNSHIP_LEADER})
def officer_forms_due(user, scope):
    """Officers stationed in the user's township whose yearly evaluation form is not filled yet.

    On the township leader's list (the form is the township's judgement, signed by its leader); the
    township's officers may fill it too, but it is not on each officer's list.
    """
    townships = evaluating_townships(user)
    if not townships:
        return
    year = timezone.localdate().year
    start = dt.datetime(year, 1, 1, tzinfo=SHANGHAI)
    due = dt.datetime(year, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)
    url = reverse("supervision:evaluation:township")
    for officer, _station, squadron, evaluation in stationed_officers(townships, year)[: todo.LIMIT]:
        if evaluation is not None:
            continue
        yield todo.TodoItem(
            kind="evaluation.township_officer_form",
            category=_("派驻人员年度评价待填写"),
            title=officer.get_full_name() or officer.get_username(),
            url=url,
            due=due,
            level=todo.level_for(due, start=start),
            reference=str(year),
            detail=squadron.name,
        )
