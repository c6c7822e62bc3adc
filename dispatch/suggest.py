"""Matter suggestions for triage: from the ticket's category and from what the report says.

The dispatcher picks the enforcement matter (执法事项) a report concerns out
of a catalogue of 700-2,000. Two signals rank the matters in force:

* the category's suggested matters (kept in admin per ticket category);
* the words of the report (title and description) against each matter's
  name: Chinese has no spaces, so both are cut into overlapping character
  pairs (bigrams), and each pair a matter shares with the report counts by
  how rare it is among the matter names (inverse document frequency), so
  that "摆摊" or "噪声" weigh far more than "违反" or "规定", which half
  the catalogue contains.

The index of matter names is built once per process and dropped when a
matter changes (``dispatch.refcache``). Suggestions are advice: the
dispatcher chooses, and ``holder_of`` then proposes who handles it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dispatch.models import Ticket
from dispatch.refcache import cached
from enforcement.models import Matter

# A pair must mean something on its own: these turn up in most matter names.
STOP_PAIRS = frozenset({
    "违反", "反规", "规定", "未按", "按照", "按规", "擅自", "行为", "处罚", "的行", "进行", "有关", "相关",
    "管理", "理规", "未经", "经批", "批准", "不按", "以及", "或者", "其他", "单位", "个人", "未取", "取得",
})
# Latin words (catalogues name some matters with them: LED, PM2.5) count whole, but not these.
STOP_WORDS = frozenset({"the", "and", "for", "with", "from", "that", "this", "are", "was", "not", "without"})
# How much a category's own suggestion weighs against the words of the report.
CATEGORY_WEIGHT = 4.0
_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


def pairs(text: str) -> set[str]:
    """The character pairs of the Chinese runs of ``text`` (and its Latin words whole), minus stop pairs."""
    out: set[str] = set()
    for run in _RUN.findall(text or ""):
        if run.isascii():
            word = run.lower()
            if len(word) > 1 and word not in STOP_WORDS:
                out.add(word)
            continue
        out.update(run[i:i + 2] for i in range(len(run) - 1))
    return out - STOP_PAIRS


@dataclass(frozen=True)
class _Index:
    names: dict[int, tuple[str, str, frozenset[str]]]  # matter id -> (code, name, pairs)
    weight: dict[str, float]  # pair -> inverse document frequency


def _build_index() -> _Index:
    names = {pk: (code, name, frozenset(pairs(name)))
             for pk, code, name in Matter.objects.in_force().values_list("pk", "code", "name")}
    df = Counter(p for _code, _name, ps in names.values() for p in ps)
    total = max(len(names), 1)
    weight = {p: math.log(1 + total / n) for p, n in df.items()}
    return _Index(names, weight)


def matter_index() -> _Index:
    return cached("matter_index", "in_force", _build_index)


@dataclass
class Suggestion:
    matter_id: int
    code: str
    name: str
    score: float
    from_category: bool = False
    words: list[str] = field(default_factory=list)  # the report's pairs the matter name shares, rarest first

    @property
    def reason(self) -> str:
        parts = []
        if self.from_category:
            parts.append(_("问题类别的常见事项"))
        if self.words:
            parts.append(_("描述提到：%(words)s") % {"words": _("、").join(self.words[:4])})
        return _("；").join(parts)


def suggest_matters(ticket: Ticket, limit: int = 5) -> list[Suggestion]:
    """The matters in force most likely meant by ``ticket``, best first (at most ``limit``)."""
    index = matter_index()
    report = pairs(f"{ticket.title} {ticket.description}")
    category_ids: list[int] = []
    if ticket.category_id:
        category_ids = [pk for pk in ticket.category.suggested_matters.values_list("pk", flat=True)
                        if pk in index.names]
    scored: dict[int, Suggestion] = {}
    if report:
        for pk, (code, name, name_pairs) in index.names.items():
            shared = report & name_pairs
            if not shared:
                continue
            words = sorted(shared, key=lambda p: (-index.weight[p], p))
            score = sum(index.weight[p] for p in shared) / math.sqrt(len(name_pairs))
            scored[pk] = Suggestion(pk, code, name, score, words=words)
    for rank, pk in enumerate(category_ids):
        code, name, _pairs = index.names[pk]
        suggestion = scored.setdefault(pk, Suggestion(pk, code, name, 0.0))
        suggestion.from_category = True
        suggestion.score += CATEGORY_WEIGHT - rank * 0.01  # the admin's order breaks ties
    return sorted(scored.values(), key=lambda s: (-s.score, s.code))[:limit]
