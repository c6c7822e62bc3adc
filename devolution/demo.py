"""Demo seed step: two devolution batches, written through the real services.

* ``2025-1`` - in force since 2025-07-01: about 60 items over the five
  categories and the four modes, with the assessments, statutory records and
  entrustment agreements they need, reviewed, approved, published and enacted
  (so the power map and the public pages show devolved powers);
* ``2026-1`` - under review: a handful of items, one rejected by a reviewer
  and one still missing its expert assessment, so the batch page shows what
  blocks approval.

Runs after the county and catalogue steps (it registers itself with
``seed_step`` when ``seed_demo`` imports the apps' ``demo`` modules, after
the core's steps). Idempotent: a batch whose number exists is left alone.
Without guidance-catalogue matters (demo catalogue missing) it skips.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from devolution import services
from devolution.models import (
    AssessmentConclusion,
    Category,
    DevolutionBatch,
    ItemMode,
    ReviewDecision,
    StatutoryKind,
)
from enforcement.demo import county, seed_step
from enforcement.models import Agency, Matter

User = get_user_model()

IN_FORCE_NUMBER = "2025-1"
IN_FORCE_DATE = dt.date(2025, 7, 1)
REVIEW_NUMBER = "2026-1"
REVIEW_DATE = dt.date(2027, 1, 1)
PROVINCIAL_DECISION = "《省人民政府关于赋予乡镇（街道）部分县级行政执法权的决定》（省政府令第 3 号）"

# (category, mode, how many) of the in-force batch: about 60 items in all.
IN_FORCE_PLAN: list[tuple[str, str, int]] = [
    (Category.PRIORITY, ItemMode.DEVOLVED, 18),
    (Category.PRIORITY, ItemMode.STATIONED, 4),
    (Category.ASSESSED, ItemMode.DEVOLVED, 6),
    (Category.ASSESSED, ItemMode.ENTRUSTED, 6),
    (Category.STATUTORY, ItemMode.DEVOLVED, 4),
    (Category.STATUTORY, ItemMode.HUB_AND_SPOKE, 4),
    (Category.INTEGRATED, ItemMode.DEVOLVED, 9),
    (Category.DEFERRED, ItemMode.DEVOLVED, 5),
    (Category.PRIORITY, ItemMode.HUB_AND_SPOKE, 4),
]
DUTIES = "\n".join([
    "制定本行业领域监管制度、标准和执法指引",
    "对承接乡镇（街道）开展业务指导和执法培训",
    "组织日常监管和专项检查，发现违法线索及时移交乡镇（街道）查处",
    "对乡镇（街道）实施情况进行监督评估",
])
PACKAGES = ["餐饮油烟扰民“一件事”", "建筑垃圾处置“一件事”", "户外广告设置“一件事”"]


def _townships() -> list[Agency]:
    codes = [t.code for t in county.TOWNSHIPS]
    by_code = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def _groups(townships: list[Agency]) -> list[list[Agency]]:
    """Rotating sets of 2-4 townships so the power map looks varied."""
    n = len(townships)
    return [[townships[(start + k) % n] for k in range(2 + start % 3)] for start in range(n)]


def _file(name: str, text: str) -> ContentFile:
    return ContentFile(text.encode("utf-8"), name=name)


def _statutory_records(item, *, by, number: str, on: dt.date) -> None:
    for n, kind in enumerate(StatutoryKind, start=1):
        services.statutory_record_save(
            item, by=by, kind=kind, document_no=f"{number}-{kind.value[:3].upper()}-{item.pk:03d}",
            issued_on=on - dt.timedelta(days=90 - n * 10),
            file=_file(f"{kind.value}-{item.pk}.txt", f"{kind.label} {item.label}"),
        )


def _assessment(item, *, by, on: dt.date) -> None:
    services.assessment_save(
        item, by=by, assessed_on=on, experts="张明（县委党校）\n李华（市法学会）\n王强（县司法局）",
        conclusion=AssessmentConclusion.SUITABLE, summary=_("经评估，承接乡镇具备实施条件，同意下放。"),
        opinion_file=_file(f"assessment-{item.pk}.txt", f"专家评估意见书 {item.label}"),
    )


def _build_in_force(matters: list[Matter], townships: list[Agency], admin, reviewer) -> DevolutionBatch:
    batch = services.batch_create(
        by=admin, number=IN_FORCE_NUMBER, title=_("2025 年第一批乡镇（街道）赋权事项"),
        provincial_decision=PROVINCIAL_DECISION, county_document_no="县政发〔2025〕12 号",
        townships=townships, effective_date=IN_FORCE_DATE,
    )
    packages = [services.package_create(batch, by=admin, name=name) for name in PACKAGES]
    groups = _groups(townships)
    hub, spokes = townships[3], townships[4:6]  # 青山镇 covers 白马镇 and 石桥镇 ("1+X")
    entrusted: dict[int, set[int]] = defaultdict(set)
    pending = list(matters)
    devolved: list[Matter] = []
    n = 0
    for category, mode, count in IN_FORCE_PLAN:
        for k in range(count):
            if not pending:
                break
            matter = pending.pop(0)
            chosen = groups[n % len(groups)]
            kwargs = {"category": category, "mode": mode, "rationale": _("基层发现及时、处置高效，群众需求迫切。"),
                      "entered_case_count_3y": 5 + (n * 7) % 40}
            if mode == ItemMode.HUB_AND_SPOKE:
                chosen, kwargs["hub_township"] = [hub, *spokes], hub
            if category == Category.INTEGRATED:
                package = packages[k // 3]
                kwargs["package"] = package
                chosen = groups[(k // 3) * 2]  # one township set per package: "one thing" everywhere
            if category == Category.ASSESSED:
                kwargs["entered_case_count_3y"] = 0
            if category == Category.DEFERRED:
                kwargs["deferred_reason"] = _("承接乡镇专业技术力量不足，待配齐后再行评估。")
                kwargs["review_date"] = dt.date(2026, 6, 30)
            item = services.item_add(batch, by=admin, matter=matter, townships=chosen, **kwargs)
            if category == Category.ASSESSED:
                _assessment(item, by=admin, on=IN_FORCE_DATE - dt.timedelta(days=60))
            if category == Category.STATUTORY:
                _statutory_records(item, by=admin, number="2025", on=IN_FORCE_DATE)
            if mode == ItemMode.ENTRUSTED:
                entrusted[matter.origin_department_id].update(t.pk for t in chosen)
            if category != Category.DEFERRED:
                devolved.append(matter)
            n += 1
    departments = {a.pk: a for a in Agency.objects.filter(pk__in=entrusted)}
    for dept_id, township_ids in entrusted.items():
        services.agreement_save(
            batch, by=admin, department=departments[dept_id],
            townships=[t for t in townships if t.pk in township_ids],
            scope=_("委托乡镇（街道）以本部门名义实施本批次所列行政处罚事项及相关的行政检查、行政强制措施。"),
            term_from=IN_FORCE_DATE, term_to=dt.date(2028, 6, 30),
            file=_file(f"agreement-{dept_id}.txt", "委托协议"), document_no=f"委托〔2025〕{dept_id}号",
        )
    for matter in devolved:
        services.responsibility_save(by=admin, matter=matter, department=matter.origin_department, duties=DUTIES)
    batch = services.batch_submit(batch, by=admin)
    batch = services.batch_start_review(batch, by=reviewer)
    services.batch_review(batch, by=reviewer, decision=ReviewDecision.APPROVE, text=_("同意下放。"))
    batch = services.batch_approve(batch, by=reviewer, text=_("经审查，本批次事项符合赋权条件，予以批准。"))
    batch = services.batch_publish(batch, by=admin)
    return services.batch_enact(batch, by=admin, on=IN_FORCE_DATE)


def _build_under_review(matters: list[Matter], townships: list[Agency], admin, reviewer) -> DevolutionBatch:
    chosen = townships[6:10]
    batch = services.batch_create(
        by=admin, number=REVIEW_NUMBER, title=_("2026 年第一批乡镇（街道）赋权事项"),
        provincial_decision=PROVINCIAL_DECISION, county_document_no="县政发〔2026〕5 号（送审稿）",
        townships=chosen, effective_date=REVIEW_DATE,
    )
    items = []
    for n, matter in enumerate(matters):
        category = Category.ASSESSED if n in (1, 4) else Category.PRIORITY
        items.append(services.item_add(
            batch, by=admin, matter=matter, townships=chosen[: 2 + n % 3], category=category,
            mode=ItemMode.DEVOLVED, rationale=_("乡镇反映较多，具备承接条件。"),
            entered_case_count_3y=0 if category == Category.ASSESSED else 3 + n * 4,
        ))
    _assessment(items[1], by=admin, on=REVIEW_DATE - dt.timedelta(days=90))
    batch = services.batch_submit(batch, by=admin)
    batch = services.batch_start_review(batch, by=reviewer)
    services.item_review(items[0], by=reviewer, decision=ReviewDecision.APPROVE, text="")
    services.item_review(items[2], by=reviewer, decision=ReviewDecision.REJECT,
                         text=_("该事项专业性强，建议改为评估下放并补充专家评估。"))
    services.item_review(items[3], by=reviewer, decision=ReviewDecision.COMMENT,
                         text=_("请补充承接乡镇执法装备配备情况。"))
    return batch


@seed_step
def seed_devolution(stdout, password: str) -> None:
    matters = list(
        Matter.objects.in_force().filter(in_guidance_catalogue=True, safety_critical=False)
        .select_related("origin_department").order_by("code")
    )
    townships = _townships()
    if not matters or len(townships) < 10:
        stdout.write(_("赋权批次：事项目录中没有纳入指导目录的事项（或演示乡镇缺失），跳过演示批次。"))
        return
    admin = User.objects.filter(username="admin").first()
    reviewer = User.objects.filter(username="judicial_reviewer1").first()
    if admin is None or reviewer is None:
        stdout.write(_("赋权批次：缺少演示账号 admin / judicial_reviewer1，跳过演示批次。"))
        return
    existing = set(DevolutionBatch.objects.filter(number__in=[IN_FORCE_NUMBER, REVIEW_NUMBER])
                   .values_list("number", flat=True))
    wanted = sum(count for _c, _m, count in IN_FORCE_PLAN)
    if IN_FORCE_NUMBER not in existing:
        _build_in_force(matters[:wanted], townships, admin, reviewer)
    if REVIEW_NUMBER not in existing:
        _build_under_review(matters[wanted:wanted + 6], townships, admin, reviewer)
    summary = {
        b.number: b.get_status_display()
        for b in DevolutionBatch.objects.filter(number__in=[IN_FORCE_NUMBER, REVIEW_NUMBER])
    }
    stdout.write(_("赋权批次：%(batches)s") % {"batches": "，".join(f"{k}（{v}）" for k, v in sorted(summary.items()))})
