"""Rubrics: validation (points total 100), the rule that a rubric in use never changes, new versions.

The default rubric (:data:`DEFAULT_RUBRIC`) follows the groups most provincial
case-file review standards use (主体合法, 事实认定, 证据, 法律适用, 程序, 裁量,
文书规范, 归档, 三项制度) and the veto items of the issue; a county edits its
own copy in admin as a new version.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from enforcement.errors import ValidationFailed
from supervision.choices import Check, PlanStatus
from supervision.models import Rubric, RubricGroup, RubricItem, VetoItem

TOTAL_POINTS = Decimal("100")

# (group, points, [(code, text, max deduction, check)]); the points total 100.
DEFAULT_GROUPS: list[tuple[str, int, list[tuple[str, str, int, str]]]] = [
    ("主体合法", 10, [
        ("A1", "执法主体资格或职权依据记载不清", 5, ""),
        ("A2", "执法人员少于两人或未出示执法证件", 5, ""),
    ]),
    ("事实认定", 15, [
        ("B1", "违法事实表述不清、要素不全", 8, ""),
        ("B2", "当事人基本情况记载不完整", 7, ""),
    ]),
    ("证据", 15, [
        ("C1", "证据不充分或证明力不足", 8, ""),
        ("C2", "证据形式不合法、取证程序不规范", 7, Check.EVIDENCE_ALTERED),
    ]),
    ("法律适用", 10, [
        ("D1", "引用法律条文不完整、不准确", 10, ""),
    ]),
    ("程序", 15, [
        ("E1", "超过法定期限办理（立案、决定、送达等）", 6, Check.DEADLINE_MISSED),
        ("E2", "未依法告知陈述、申辩、听证权利", 5, ""),
        ("E3", "应集体讨论未集体讨论", 4, Check.DELIBERATION_SKIPPED),
    ]),
    ("裁量", 10, [
        ("F1", "未按裁量基准作出决定且未说明理由", 10, ""),
    ]),
    ("文书规范", 10, [
        ("G1", "文书缺失或制作不规范", 6, Check.DOCUMENTS_MISSING),
        ("G2", "文书文号、日期、签章错漏", 4, ""),
    ]),
    ("归档", 5, [
        ("H1", "未按规定立卷归档、卷内顺序混乱", 5, ""),
    ]),
    ("三项制度", 10, [
        ("J1", "未按规定公示或全过程记录缺失", 5, ""),
        ("J2", "重大执法决定法制审核意见不完整", 5, ""),
    ]),
]

DEFAULT_VETOES: list[tuple[str, str, str]] = [
    ("V1", "无执法主体资格或超越职权（非该事项的实施主体）", ""),
    ("V2", "执法人员无有效执法证件", Check.CERTIFICATE_EXPIRED),
    ("V3", "认定当事人错误", ""),
    ("V4", "主要证据缺失或伪造", ""),
    ("V5", "超过追责时效作出处罚", ""),
    ("V6", "适用法律依据错误", ""),
    ("V7", "依法应当法制审核而未审核", Check.REVIEW_SKIPPED),
]

DEFAULT_NAME = "行政处罚案卷评查标准"


def create_default_rubric(*, rubric_model=Rubric, group_model=RubricGroup, item_model=RubricItem,
                          veto_model=VetoItem):
    """Write the default rubric (version 1) unless it exists; the models may be a migration's historical ones."""
    existing = rubric_model.objects.filter(name=DEFAULT_NAME).order_by("version").first()
    if existing is not None:
        return existing
    rubric = rubric_model.objects.create(name=DEFAULT_NAME, version=1, note="默认标准：满分100分，否决项一票否决。")
    for g_order, (name, points, items) in enumerate(DEFAULT_GROUPS, start=1):
        group = group_model.objects.create(rubric=rubric, order=g_order, name=name, points=points)
        for i_order, (code, text, max_deduction, check) in enumerate(items, start=1):
            item_model.objects.create(group=group, order=i_order, code=code, text=text,
                                      max_deduction=max_deduction, auto_check=str(check))
    for order, (code, text, check) in enumerate(DEFAULT_VETOES, start=1):
        veto_model.objects.create(rubric=rubric, order=order, code=code, text=text, auto_check=str(check))
    return rubric


def rubric_in_use(rubric: Rubric) -> bool:
    """A rubric is in use once a plan that uses it has drawn its files."""
    return rubric.plans.exclude(status=PlanStatus.DRAFT).exists()


def rubric_problems(rubric: Rubric, groups: list[tuple[str, Decimal]] | None = None) -> list[str]:
    """What keeps ``rubric`` from being used: its points must total 100; an item never takes more than its group."""
    problems = []
    if groups is None:
        groups = [(g.name, g.points) for g in rubric.groups.all()]
    total = sum((points or Decimal(0) for _name, points in groups), Decimal(0))
    if total != TOTAL_POINTS:
        problems.append(_("评查标准各项目分值合计应为100分，现为%(total)s分。") % {"total": _fmt(total)})
    for group in rubric.groups.prefetch_related("items") if rubric.pk else []:
        for item in group.items.all():
            if item.max_deduction > group.points:
                problems.append(_("扣分项“%(code)s”的最高扣分%(max)s分超过所属项目“%(group)s”的分值%(points)s分。")
                                % {"code": item.code, "max": _fmt(item.max_deduction), "group": group.name,
                                   "points": _fmt(group.points)})
    return problems


def check_rubric(rubric: Rubric) -> None:
    problems = rubric_problems(rubric)
    if problems:
        raise ValidationFailed(problems[0], field="rubric", fields={"rubric": problems})


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


@transaction.atomic
def rubric_new_version(rubric: Rubric) -> Rubric:
    """Copy ``rubric`` with its groups, items and vetoes as the next version (the copy is editable)."""
    latest = Rubric.objects.filter(name=rubric.name).order_by("-version").values_list("version", flat=True).first()
    copy = Rubric.objects.create(
        name=rubric.name, version=(latest or rubric.version) + 1, note=rubric.note, previous=rubric,
        excellent_min=rubric.excellent_min, good_min=rubric.good_min, pass_min=rubric.pass_min,
    )
    for group in rubric.groups.prefetch_related("items"):
        new_group = RubricGroup.objects.create(rubric=copy, order=group.order, name=group.name, points=group.points)
        RubricItem.objects.bulk_create([
            RubricItem(group=new_group, order=i.order, code=i.code, text=i.text, max_deduction=i.max_deduction,
                       auto_check=i.auto_check)
            for i in group.items.all()
        ])
    VetoItem.objects.bulk_create([
        VetoItem(rubric=copy, order=v.order, code=v.code, text=v.text, auto_check=v.auto_check)
        for v in rubric.vetoes.all()
    ])
    return copy
