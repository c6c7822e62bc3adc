"""Every change to inspections: objects, spot-check plans and their draw, records, their actions, joint visits.

The draw (:func:`compute_draw`) follows the approach of supervision's case-file
review draw: it is deterministic given the plan and the database, so anyone
can repeat it from the stored seed and compare the digest:

1. **Population**: active objects to which at least one of the plan's matters
   applies (in the plan's townships, if any), in ascending id order, split into
   *priority* objects (high risk, or credit level C or D) and the others.
2. **How many**: with a share, ``ceil(share% x group)`` for each group (the
   priority share for priority objects, the general share when none is set).
   With a number *n*: refused when *n* exceeds the population; the priority
   group gets ``ceil(priority share% x group)`` (or its proportional part
   when no priority share is set), at most *n*; the others the rest (if the
   others are too few, the priority group takes the remainder).
3. **Generator**: one ``random.Random(plan.seed)``; ``rng.sample(priority, n1)``
   then ``rng.sample(others, n2)``; tasks are numbered in the order drawn.
4. **Officers**, continuing with the same generator: the pool is the plan's
   officers, or else every active inspecting member of the plan's agencies,
   in ascending user id; only officers whose certificate covers every day of
   the period. For each task in order, ``officers_per_object`` times: among
   the pool minus the object's conflicted officers and those already on it,
   those with the fewest tasks so far, ``rng.choice``.

The digest is the SHA-256 of the lines ``position object_id officer_id,officer_id``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enforcement.cases.services.evidence import check_upload, sha256_of
from enforcement.cases.services.lifecycle import case_create_lead
from enforcement.catalogue.models import Matter, PowerType
from enforcement.errors import InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.inspections import permissions as perms
from enforcement.inspections.choices import (
    LOW_CREDIT_LEVELS,
    Disposition,
    FindingResult,
    ObjectKind,
    Outcome,
    PlanStatus,
    RiskLevel,
    SignatureStatus,
    TaskStatus,
)
from enforcement.inspections.models import (
    CheckPlan,
    InspectionObject,
    InspectionRecord,
    InspectionTask,
    JointScenario,
    JointVisit,
    RecordAttachment,
    RecordFinding,
    RecordOfficer,
    TaskOfficer,
)
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency, Certificate, Membership
from enforcement.workdays import Unit, deadline_for
from enforcement.workflow import lock_as_seen, perform_transition, record_event

# Administrative Penalty Law art. 42 (执法人员不得少于两人) and art. 55 (检查时出示执法证件).
MIN_OFFICERS = 2
ART_OFFICERS = gettext_lazy("《行政处罚法》第四十二条、第五十五条")
# Interim Regulations on Enterprise Information Disclosure arts. 6-7: inspection results are
# disclosed within 20 working days of being produced; the county may set a shorter period per plan.
DEFAULT_PUBLISH_WORKDAYS = 20
ART_PUBLISH = gettext_lazy("《企业信息公示暂行条例》第六条、第七条")

DOC_ALGORITHM = [
    gettext_lazy(
        "抽查对象总体：适用计划任一抽查事项的在册检查对象（限定乡镇/街道的仅取其范围），按编号升序，"
        "分为重点对象（高风险或信用等级C、D级）和一般对象。"
    ),
    gettext_lazy(
        "抽取数量：按比例的，各组数量乘以比例后向上取整（重点对象用重点比例，未设置时同一般比例）；"
        "按数量的，数量超过总体的不予抽取，重点对象先按重点比例（未设置时按占比）取，其余从一般对象中取。"
    ),
    gettext_lazy(
        "随机数发生器：Python random.Random(随机种子)（梅森旋转算法），"
        "先 sample(重点对象)，再 sample(一般对象)，按抽出顺序编号。"
    ),
    gettext_lazy(
        "抽取检查人员：沿用同一发生器，人员库为计划指定人员或参与单位全部在岗检查人员（按用户编号升序），"
        "仅含执法证覆盖整个检查期的人员；逐个对象排除需回避人员，在已分配任务最少者中用 choice 选取，"
        "每个对象选取规定人数（不少于两名）。"
    ),
]


def _today() -> dt.date:
    return timezone.localdate()


# --- the object directory ------------------------------------------------------------------------

OBJECT_FIELDS = (
    "kind",
    "name",
    "identifier",
    "address",
    "township",
    "grid",
    "risk_level",
    "credit_level",
    "contact_name",
    "contact_phone",
)


def _check_object(values: dict, *, by) -> None:
    township = values.get("township")
    if township is None or township.kind not in TOWNSHIP_KINDS:
        raise ValidationFailed(_("请选择检查对象所在的乡镇/街道。"), field="township")
    if not perms.can_edit_objects(by, township.pk):
        raise PermissionRefused(_("您不能维护%(township)s的检查对象。") % {"township": township.name})
    grid = values.get("grid")
    if grid is not None and grid.township_id != township.pk:
        raise ValidationFailed(
            _("网格“%(grid)s”不属于%(township)s。") % {"grid": grid, "township": township}, field="grid"
        )
    if not (values.get("name") or "").strip():
        raise ValidationFailed(_("请填写检查对象名称。"), field="name")
    if values.get("kind") not in ObjectKind.values:
        raise ValidationFailed(_("请选择对象类型。"), field="kind")


def object_create(
    *, by, domains: Iterable = (), matters: Iterable = (), conflicted_officers: Iterable = (), **values
) -> InspectionObject:
    _check_object(values, by=by)
    with transaction.atomic():
        obj = InspectionObject.objects.create(**{k: v for k, v in values.items() if k in OBJECT_FIELDS})
        obj.domains.set(domains)
        obj.matters.set(matters)
        obj.conflicted_officers.set(conflicted_officers)
        record_event(obj, "create", by=by, agency=obj.township)
    return obj


def object_update(
    obj: InspectionObject, *, by, domains=None, matters=None, conflicted_officers=None, **values
) -> InspectionObject:
    merged = {k: getattr(obj, k) for k in OBJECT_FIELDS} | values
    if not perms.can_edit_objects(by, obj.township_id):
        raise PermissionRefused(_("您不能维护%(township)s的检查对象。") % {"township": obj.township})
    _check_object(merged, by=by)
    with transaction.atomic():
        locked = InspectionObject.objects.select_for_update().get(pk=obj.pk)
        for name in OBJECT_FIELDS:
            if name in values:
                setattr(locked, name, values[name])
        locked.save()
        if domains is not None:
            locked.domains.set(domains)
        if matters is not None:
            locked.matters.set(matters)
        if conflicted_officers is not None:
            locked.conflicted_officers.set(conflicted_officers)
        record_event(locked, "update", by=by, data={"fields": sorted(values)})
    return locked


def object_close(obj: InspectionObject, *, by, on: dt.date | None = None, note: str = "") -> InspectionObject:
    """Take an object off the directory (closed, moved away): it is no longer drawn."""
    if not perms.can_edit_objects(by, obj.township_id):
        raise PermissionRefused(_("您不能维护%(township)s的检查对象。") % {"township": obj.township})
    with transaction.atomic():
        locked = InspectionObject.objects.select_for_update().get(pk=obj.pk)
        if not locked.is_active:
            raise InvalidTransition(_("检查对象“%(name)s”已注销。") % {"name": locked.name})
        locked.is_active = False
        locked.closed_on = on or _today()
        locked.save(update_fields=["is_active", "closed_on", "updated_at"])
        record_event(locked, "close", by=by, note=note)
    return locked


# --- plans ---------------------------------------------------------------------------------------


def _number(prefix: str, day: dt.date) -> str:
    # Unique at once; replaced by the readable number once the row has its id.
    return f"{prefix}-{day.year}-tmp-{uuid.uuid4().hex[:12]}"


def _readable(obj, prefix: str, day: dt.date) -> None:
    obj.number = f"{prefix}-{day.year}-{obj.pk:06d}"
    type(obj).objects.filter(pk=obj.pk).update(number=obj.number)


def _check_plan_values(values: dict, matters: Sequence[Matter], agencies: Sequence[Agency]) -> None:
    if not values.get("title", "").strip():
        raise ValidationFailed(_("请填写计划名称。"), field="title")
    if values["period_end"] < values["period_start"]:
        raise ValidationFailed(_("检查期止不能早于检查期起。"), field="period_end")
    if not matters:
        raise ValidationFailed(_("请选择抽查事项。"), field="matters")
    wrong = [m.name for m in matters if m.power_type != PowerType.INSPECTION]
    if wrong:
        raise ValidationFailed(
            _("抽查事项必须是职权类型为“行政检查”的事项：%(names)s。") % {"names": "、".join(wrong)}, field="matters"
        )
    if not values.get("sample_count") and values.get("sample_share") in (None, ""):
        raise ValidationFailed(_("请填写抽取对象数或抽取比例。"), field="sample_count")
    if (values.get("officers_per_object") or MIN_OFFICERS) < MIN_OFFICERS:
        raise ValidationFailed(
            _("每个对象的检查人员不得少于两名（%(article)s）。") % {"article": ART_OFFICERS},
            field="officers_per_object",
        )
    if not agencies:
        raise ValidationFailed(_("请选择参与单位。"), field="agencies")
    days = values.get("publish_within_workdays") or DEFAULT_PUBLISH_WORKDAYS
    if days > DEFAULT_PUBLISH_WORKDAYS:
        raise ValidationFailed(
            _("抽查结果应在检查后%(max)s个工作日内公示（%(article)s），公示期限不能超过%(max)s个工作日。")
            % {"max": DEFAULT_PUBLISH_WORKDAYS, "article": ART_PUBLISH},
            field="publish_within_workdays",
            code="inspection_publication",
        )


PLAN_FIELDS = (
    "title",
    "period_start",
    "period_end",
    "sample_count",
    "sample_share",
    "priority_share",
    "officers_per_object",
    "publish_within_workdays",
    "seed",
)


def plan_create(
    *,
    by,
    lead_agency: Agency,
    matters: Sequence[Matter],
    agencies: Sequence[Agency] = (),
    townships: Sequence[Agency] = (),
    officers: Sequence = (),
    **values,
) -> CheckPlan:
    """A new plan in draft; ``seed`` defaults to a fresh random number, stored so the draw can be repeated."""
    if not perms.can_plan(by, lead_agency.pk):
        raise PermissionRefused(_("您不能为%(agency)s制定抽查计划。") % {"agency": lead_agency.name})
    agencies = list(dict.fromkeys([lead_agency, *agencies]))
    values.setdefault("seed", random.SystemRandom().randrange(1, 2**53))
    values.setdefault("officers_per_object", MIN_OFFICERS)
    values.setdefault("publish_within_workdays", DEFAULT_PUBLISH_WORKDAYS)
    _check_plan_values(values, list(matters), agencies)
    with transaction.atomic():
        plan = CheckPlan.objects.create(
            number=_number("CC", values["period_start"]),
            lead_agency=lead_agency,
            created_by=by,
            **{k: v for k, v in values.items() if k in PLAN_FIELDS},
        )
        _readable(plan, "CC", plan.period_start)
        plan.agencies.set(agencies)
        plan.matters.set(matters)
        plan.townships.set(townships)
        plan.officers.set(officers)
        record_event(plan, "create", by=by, agency=lead_agency, data={"seed": plan.seed})
    return plan


def plan_update(
    plan: CheckPlan, *, by, matters=None, agencies=None, townships=None, officers=None, **values
) -> CheckPlan:
    """Edit a plan while in draft (the seed included: a new seed is a new draw)."""
    if not perms.can_manage_plan(plan, by):
        raise PermissionRefused(_("您不能修改该抽查计划。"))
    merged = {k: getattr(plan, k) for k in PLAN_FIELDS} | values
    new_agencies = list(dict.fromkeys([plan.lead_agency, *(agencies if agencies is not None else plan.agencies.all())]))
    _check_plan_values(merged, list(matters if matters is not None else plan.matters.all()), new_agencies)
    with transaction.atomic():
        locked = lock_as_seen(plan)
        if locked.status != PlanStatus.DRAFT:
            raise InvalidTransition(_("抽查计划已抽取，不能修改；如需修改请先退回草拟。"))
        for name, value in values.items():
            if name in PLAN_FIELDS:
                setattr(locked, name, value)
        locked.save()
        if agencies is not None:
            locked.agencies.set(new_agencies)
        if matters is not None:
            locked.matters.set(matters)
        if townships is not None:
            locked.townships.set(townships)
        if officers is not None:
            locked.officers.set(officers)
        record_event(locked, "update", by=by, data={"seed": locked.seed})
    return locked


@dataclass
class DrawnTask:
    position: int
    object_id: int
    officer_ids: list[int] = field(default_factory=list)


@dataclass
class Draw:
    tasks: list[DrawnTask]

    @property
    def digest(self) -> str:
        lines = "\n".join(f"{t.position} {t.object_id} {','.join(map(str, t.officer_ids))}" for t in self.tasks)
        return hashlib.sha256(lines.encode()).hexdigest()


def population(plan: CheckPlan) -> tuple[list[int], list[int]]:
    """(priority object ids, other object ids) the plan draws from, each in ascending id order."""
    qs = InspectionObject.objects.active().filter(matters__in=plan.matters.all())
    township_ids = list(plan.townships.values_list("pk", flat=True))
    if township_ids:
        qs = qs.filter(township_id__in=township_ids)
    rows = qs.order_by("pk").values_list("pk", "risk_level", "credit_level").distinct()
    priority, others = [], []
    for pk, risk, credit in rows:
        (priority if risk == RiskLevel.HIGH or credit in LOW_CREDIT_LEVELS else others).append(pk)
    return priority, others


def _ceil_share(share: Decimal | None, n: int) -> int:
    return min(n, math.ceil(Decimal(n) * Decimal(share or 0) / Decimal(100)))


def sample_sizes(plan: CheckPlan, n_priority: int, n_others: int) -> tuple[int, int]:
    """How many priority and other objects the plan draws (rule 2 of the module docstring); refuses too many."""
    total = n_priority + n_others
    if plan.sample_count:
        n = plan.sample_count
        if n > total:
            raise ValidationFailed(
                _("计划抽取%(n)s个对象，但符合条件的在册检查对象只有%(total)s个。") % {"n": n, "total": total},
                field="sample_count",
                code="too_many_objects",
            )
        if plan.priority_share is not None:
            first = _ceil_share(plan.priority_share, n_priority)
        else:
            first = math.ceil(Decimal(n) * n_priority / Decimal(total)) if total else 0
        first = min(first, n, n_priority)
        second = n - first
        if second > n_others:
            first, second = n - n_others, n_others
        return first, second
    share = plan.sample_share
    priority_share = plan.priority_share if plan.priority_share is not None else share
    return _ceil_share(priority_share, n_priority), _ceil_share(share, n_others)


def certified_through(user_ids: Iterable[int], first: dt.date, last: dt.date) -> dict[int, Certificate]:
    """user id -> a certificate valid (not revoked) on every day from ``first`` to ``last``."""
    out: dict[int, Certificate] = {}
    rows = (
        Certificate.objects.filter(officer_id__in=list(user_ids), valid_from__lte=first, valid_to__gte=last)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=last))
        .order_by("officer_id", "-valid_to")
    )
    for cert in rows:
        out.setdefault(cert.officer_id, cert)
    return out


def officer_pool(plan: CheckPlan) -> list[int]:
    """The user ids the plan draws officers from (rule 4), certified through the whole period; refuses gaps."""
    chosen = list(plan.officers.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    if chosen:
        certified = certified_through(chosen, plan.period_start, plan.period_end)
        missing = [u for u in chosen if u not in certified]
        if missing:
            names = get_user_model().objects.filter(pk__in=missing).order_by("pk")
            raise ValidationFailed(
                _(
                    "以下人员的执法证在检查期（%(start)s至%(end)s）内无效或已过期，不能参加抽查：%(names)s（%(article)s）。"
                )
                % {
                    "start": plan.period_start,
                    "end": plan.period_end,
                    "names": "、".join(u.get_full_name() or u.username for u in names),
                    "article": ART_OFFICERS,
                },
                field="officers",
                code="certificate_invalid",
            )
        return chosen
    members = sorted(
        set(
            Membership.objects.active()
            .filter(agency__in=plan.agencies.all(), role__in=perms.INSPECTOR_ROLES, user__is_active=True)
            .values_list("user_id", flat=True)
        )
    )
    certified = certified_through(members, plan.period_start, plan.period_end)
    return [u for u in members if u in certified]


def compute_draw(plan: CheckPlan) -> Draw:
    """The objects and officers the plan's seed picks (see the module docstring); refuses with a clear reason."""
    priority, others = population(plan)
    if not priority and not others:
        raise ValidationFailed(_("没有适用所选抽查事项的在册检查对象，无法抽取。"), code="too_many_objects")
    n1, n2 = sample_sizes(plan, len(priority), len(others))
    rng = random.Random(plan.seed)
    picked = rng.sample(priority, n1) + rng.sample(others, n2)
    if not picked:
        raise ValidationFailed(_("按计划的抽取规则抽取的对象数为零，请调整抽取数量或比例。"), field="sample_share")
    tasks = [DrawnTask(position=i, object_id=pk) for i, pk in enumerate(picked, start=1)]
    _assign_officers(plan, tasks, rng)
    return Draw(tasks=tasks)


def _assign_officers(plan: CheckPlan, tasks: list[DrawnTask], rng: random.Random) -> None:
    pool = officer_pool(plan)
    per_object = max(plan.officers_per_object, MIN_OFFICERS)
    if len(pool) < per_object:
        raise ValidationFailed(
            _("检查人员库中执法证覆盖检查期的人员只有%(n)s名，每个对象至少需要%(need)s名（%(article)s）。")
            % {"n": len(pool), "need": per_object, "article": ART_OFFICERS},
            field="officers",
            code="too_few_officers",
        )
    conflicts: dict[int, set[int]] = defaultdict(set)
    through = InspectionObject.conflicted_officers.through
    for obj_id, user_id in through.objects.filter(inspectionobject_id__in=[t.object_id for t in tasks]).values_list(
        "inspectionobject_id", "user_id"
    ):
        conflicts[obj_id].add(user_id)
    load = dict.fromkeys(pool, 0)
    names = None
    for task in tasks:
        for _n in range(per_object):
            eligible = [u for u in pool if u not in conflicts[task.object_id] and u not in task.officer_ids]
            if not eligible:
                names = names or dict(
                    InspectionObject.objects.filter(pk__in=[t.object_id for t in tasks]).values_list("pk", "name")
                )
                raise ValidationFailed(
                    _("排除需回避的人员后，检查对象“%(name)s”的检查人员不足%(need)s名（%(article)s），请增加检查人员。")
                    % {"name": names.get(task.object_id), "need": per_object, "article": ART_OFFICERS},
                    field="officers",
                    code="too_few_officers",
                )
            least = min(load[u] for u in eligible)
            chosen = rng.choice([u for u in eligible if load[u] == least])
            task.officer_ids.append(chosen)
            load[chosen] += 1


def stored_draw(plan: CheckPlan) -> Draw:
    officers: dict[int, list[int]] = defaultdict(list)
    for task_id, user_id in (
        TaskOfficer.objects.filter(task__plan=plan).order_by("task_id", "ordinal").values_list("task_id", "officer_id")
    ):
        officers[task_id].append(user_id)
    return Draw(
        tasks=[
            DrawnTask(position, object_id, officers[pk])
            for pk, position, object_id in plan.tasks.order_by("position").values_list("pk", "position", "object_id")
        ]
    )


def draw_check(plan: CheckPlan) -> tuple[bool, Draw, Draw]:
    """Repeat the draw from the stored seed: (same?, stored, recomputed)."""
    stored = stored_draw(plan)
    again = compute_draw(plan)
    return stored.digest == again.digest == plan.digest, stored, again


def plan_draw(plan: CheckPlan, *, by) -> CheckPlan:
    """Draw the objects and officers (draft -> drawn) and write one task per object, due at the period's end."""
    if not perms.can_manage_plan(plan, by):
        raise PermissionRefused(_("您不能操作该抽查计划。"))
    draw = compute_draw(plan)
    with transaction.atomic():
        plan = perform_transition(
            plan,
            "draw",
            by=by,
            digest=draw.digest,
            drawn_at=timezone.now(),
            data={"seed": plan.seed, "objects": len(draw.tasks), "digest": draw.digest},
        )
        tasks = InspectionTask.objects.bulk_create(
            [
                InspectionTask(
                    plan=plan,
                    position=t.position,
                    object_id=t.object_id,
                    agency_id=plan.lead_agency_id,
                    due_date=plan.period_end,
                )
                for t in draw.tasks
            ]
        )
        TaskOfficer.objects.bulk_create(
            [
                TaskOfficer(task=task, officer_id=u, ordinal=i)
                for task, t in zip(tasks, draw.tasks, strict=True)
                for i, u in enumerate(t.officer_ids, start=1)
            ]
        )
    return plan


def plan_reopen(plan: CheckPlan, *, by, note: str = "") -> CheckPlan:
    """Throw the draw away (drawn -> draft)."""
    with transaction.atomic():
        plan = perform_transition(plan, "reopen", by=by, note=note)
        plan.tasks.all().delete()
    return plan


def plan_start(plan: CheckPlan, *, by) -> CheckPlan:
    """Hand the tasks to the officers (drawn -> in progress)."""
    return perform_transition(plan, "start", by=by)


def publish_due(plan: CheckPlan) -> dt.date | None:
    """The last day to publish: N working days after the last check of the plan (None while a task is open)."""
    if plan.tasks.filter(status=TaskStatus.PENDING).exists():
        return None
    last = plan.tasks.aggregate(last=Max("checked_on"))["last"]
    if last is None:
        return None
    return deadline_for(last, plan.publish_within_workdays, Unit.WORKING_DAYS).at.date()


def plan_publish(plan: CheckPlan, *, by) -> CheckPlan:
    """Publish the results on the public page (in progress -> published); refused while a check is unrecorded."""
    pending = plan.tasks.filter(status=TaskStatus.PENDING).count()
    if pending:
        raise InvalidTransition(
            _("还有%(n)s个抽查对象未记录检查结果，不能公示（抽查结果应在检查后公示，%(article)s）。")
            % {"n": pending, "article": ART_PUBLISH},
            code="results_not_recorded",
        )
    return perform_transition(plan, "publish", by=by, published_at=timezone.now(), public=True)


# --- records -------------------------------------------------------------------------------------


@dataclass
class FindingInput:
    matter: Matter
    agency: Agency
    result: str = FindingResult.OK
    description: str = ""


def _check_officers(officers: Sequence, day: dt.date, obj: InspectionObject) -> dict[int, Certificate]:
    ids = list(dict.fromkeys(u.pk for u in officers))
    if len(ids) < MIN_OFFICERS:
        raise ValidationFailed(
            _("检查人员不得少于两名（%(article)s）。") % {"article": ART_OFFICERS},
            field="officers",
            code="too_few_officers",
        )
    certified = certified_through(ids, day, day)
    missing = [u for u in officers if u.pk not in certified]
    if missing:
        raise ValidationFailed(
            _("以下人员在%(day)s没有有效的执法证，不能从事检查：%(names)s（%(article)s）。")
            % {
                "day": day,
                "names": "、".join(u.get_full_name() or u.username for u in missing),
                "article": ART_OFFICERS,
            },
            field="officers",
            code="certificate_invalid",
        )
    conflicted = set(obj.conflicted_officers.values_list("pk", flat=True)) & set(ids)
    if conflicted:
        names = [u.get_full_name() or u.username for u in officers if u.pk in conflicted]
        raise ValidationFailed(
            _("%(names)s与检查对象“%(object)s”存在利害关系，应当回避（《行政处罚法》第四十三条）。")
            % {"names": "、".join(names), "object": obj.name},
            field="officers",
            code="conflict_of_interest",
        )
    return certified


def record_create(
    *,
    by,
    object: InspectionObject,  # noqa: A002 - the field's name
    agency: Agency,
    officers: Sequence,
    findings: Sequence[FindingInput],
    place: str,
    started_at: dt.datetime,
    signature_status: str,
    outcome: str,
    ended_at: dt.datetime | None = None,
    facts: str = "",
    present_person: str = "",
    signature_note: str = "",
    task: InspectionTask | None = None,
    joint_visit: JointVisit | None = None,
) -> InspectionRecord:
    """Record one inspection (现场检查笔录); completes its spot-check task or joint visit."""
    if not perms.can_inspect(by, agency.pk):
        raise PermissionRefused(_("您不是%(agency)s的检查人员，不能为其记录检查。") % {"agency": agency.name})
    if not (place or "").strip():
        raise ValidationFailed(_("请填写检查地点。"), field="place")
    if started_at > timezone.now() + dt.timedelta(minutes=10):
        raise ValidationFailed(_("检查时间不能晚于现在。"), field="started_at")
    if ended_at is not None and ended_at < started_at:
        raise ValidationFailed(_("检查结束时间不能早于开始时间。"), field="ended_at")
    if signature_status not in SignatureStatus.values:
        raise ValidationFailed(_("请选择当事人签名情况。"), field="signature_status")
    if signature_status == SignatureStatus.REFUSED and not signature_note.strip():
        # Administrative Penalty Law art. 55 / on-site records: a refusal is noted by the officers.
        raise ValidationFailed(_("当事人拒绝签名的，请注明情况。"), field="signature_note")
    if outcome not in Outcome.values:
        raise ValidationFailed(_("请选择检查结果。"), field="outcome")
    if not findings:
        raise ValidationFailed(_("请至少记录一个检查事项的检查情况。"), field="findings")
    day = timezone.localtime(started_at).date()
    certified = _check_officers(officers, day, object)
    if task is not None and task.object_id != object.pk:
        raise ValidationFailed(_("检查对象与抽查任务不一致。"), field="task")
    if joint_visit is not None:
        if joint_visit.object_id != object.pk:
            raise ValidationFailed(_("检查对象与联合检查不一致。"), field="joint_visit")
        planned = set(joint_visit.agencies.values_list("pk", flat=True))
        found = {f.agency.pk for f in findings}
        missing = planned - found
        if missing:
            names = Agency.objects.filter(pk__in=missing).order_by("pk").values_list("name", flat=True)
            raise ValidationFailed(
                _("联合检查的每个参与单位都应记录其检查情况，缺少：%(names)s。") % {"names": "、".join(names)},
                field="findings",
            )
    with transaction.atomic():
        if task is not None:
            task = InspectionTask.objects.select_for_update().get(pk=task.pk)
            if task.status != TaskStatus.PENDING:
                raise InvalidTransition(_("该抽查任务已记录检查结果。"))
            if task.plan.status != PlanStatus.IN_PROGRESS:
                raise InvalidTransition(_("抽查计划尚未下达或已公示，不能记录检查结果。"))
        record = InspectionRecord.objects.create(
            number=_number("JC", day),
            object=object,
            agency=agency,
            township_id=object.township_id,
            task=task,
            joint_visit=joint_visit,
            place=place.strip(),
            started_at=started_at,
            ended_at=ended_at,
            checked_on=day,
            present_person=present_person,
            facts=facts,
            signature_status=signature_status,
            signature_note=signature_note,
            outcome=outcome,
            created_by=by,
        )
        _readable(record, "JC", day)
        RecordOfficer.objects.bulk_create(
            [
                RecordOfficer(record=record, officer=u, certificate=certified[u.pk], ordinal=i)
                for i, u in enumerate(dict.fromkeys(officers), start=1)
            ]
        )
        RecordFinding.objects.bulk_create(
            [
                RecordFinding(
                    record=record,
                    matter=f.matter,
                    agency=f.agency,
                    result=f.result,
                    description=f.description,
                    ordinal=i,
                )
                for i, f in enumerate(findings, start=1)
            ]
        )
        record_event(record, "create", by=by, agency=agency, data={"outcome": outcome})
        if task is not None:
            task.status = TaskStatus.DONE
            task.outcome = outcome
            task.checked_on = day
            task.save(update_fields=["status", "outcome", "checked_on"])
            plan = task.plan
            plan.publish_due = publish_due(plan)
            plan.save(update_fields=["publish_due"])
        if joint_visit is not None:
            perform_transition(
                joint_visit, "complete", by=by, agency=agency, agency_count=len({f.agency.pk for f in findings})
            )
    return record


def attachment_add(record: InspectionRecord, *, by, file, description: str = "") -> RecordAttachment:
    """Keep a photo or document as evidence with its SHA-256 (same file rules as case evidence)."""
    if not perms.can_handle_record(record, by):
        raise PermissionRefused(_("您不能为该检查记录上传附件。"))
    _ext, content_type = check_upload(file)
    digest = sha256_of(file)
    with transaction.atomic():
        att = RecordAttachment(
            record=record,
            name=file.name[:200],
            sha256=digest,
            size=file.size,
            content_type=content_type,
            description=description,
            uploaded_by=by,
        )
        att.file.save(file.name, file, save=False)
        att.save()
        record_event(record, "attachment", by=by, data={"name": att.name, "sha256": digest})
    return att


def attachment_verify(att: RecordAttachment) -> bool:
    with att.file.open("rb") as fh:
        return sha256_of(fh) == att.sha256


# --- record actions (the action table in enforcement.inspections.actions) -----------------------


def record_close_no_problem(record: InspectionRecord, *, by, note: str = "") -> InspectionRecord:
    """Close a record where nothing is to follow."""
    if record.outcome not in (Outcome.NO_PROBLEM, Outcome.NOT_FOUND):
        raise InvalidTransition(
            _("检查结果为“%(outcome)s”的记录不能按无问题结束，请选择其他处理方式。")
            % {"outcome": record.get_outcome_display()}
        )
    return perform_transition(
        record, "dispose", by=by, note=note, disposition=Disposition.NO_PROBLEM, agency=record.agency
    )


def record_to_case(
    record: InspectionRecord,
    *,
    by,
    matter: Matter,
    title: str,
    party_kind: str,
    party_legal_rep: str = "",
    occurred_on: dt.date | None = None,
    note: str = "",
) -> InspectionRecord:
    """Turn a record into a case lead: the case copies the facts, ``source=inspection`` and the record number.

    Only under a matter the record's agency may file in that township on the day of the check (the
    same rule as filing, :func:`enforcement.cases.rules.check_filing_power`); a violation under
    someone else's matter is handed to its holder as a ticket (dispatch's record action).
    """
    from enforcement.cases.choices import CaseSource
    from enforcement.cases.rules import check_filing_power

    if not perms.can_handle_record(record, by):
        raise PermissionRefused(_("您不能处理该检查记录。"))
    check_filing_power(matter, record.agency, record.township, on=record.checked_on)
    obj = record.object
    facts = "\n".join(
        filter(
            None,
            [
                record.facts,
                *(
                    f"{f.matter.name}：{f.description}"
                    for f in record.findings.select_related("matter")
                    if f.result == FindingResult.PROBLEM
                ),
            ],
        )
    )
    with transaction.atomic():
        case = case_create_lead(
            by=by,
            agency=record.agency,
            matter=matter,
            title=title,
            occurred_on=occurred_on or record.checked_on,
            party_kind=party_kind,
            party_name=obj.name,
            party_id_number=obj.identifier,
            party_address=obj.address,
            party_phone=obj.contact_phone,
            party_legal_rep=party_legal_rep,
            township=record.township,
            source=CaseSource.INSPECTION,
            source_ref=record.number,
            facts=facts,
            place=record.place,
            discovered_on=record.checked_on,
        )
        record = perform_transition(
            record,
            "dispose",
            by=by,
            note=note,
            disposition=Disposition.CASE_LEAD,
            case=case,
            agency=record.agency,
            data={"case": case.number},
        )
    return record


def record_mark_ticket(record: InspectionRecord, *, by, ticket_id: int, note: str = "") -> InspectionRecord:
    """Close a record handed to another agency as a ticket (dispatch's service creates the ticket and calls this)."""
    return perform_transition(
        record,
        "dispose",
        by=by,
        note=note,
        disposition=Disposition.TICKET,
        ticket_id=ticket_id,
        agency=record.agency,
        data={"ticket": ticket_id},
    )


# --- joint visits --------------------------------------------------------------------------------


def joint_visit_create(
    *,
    by,
    object: InspectionObject,
    lead_agency: Agency,  # noqa: A002
    agencies: Sequence[Agency],
    planned_on: dt.date,
    scenario: JointScenario | None = None,
) -> JointVisit:
    """Plan several agencies to inspect one object together."""
    if not perms.can_plan(by, lead_agency.pk):
        raise PermissionRefused(_("您不能为%(agency)s安排联合检查。") % {"agency": lead_agency.name})
    agencies = list(dict.fromkeys([lead_agency, *agencies]))
    if len(agencies) < 2:
        raise ValidationFailed(_("联合检查至少需要两个单位参加。"), field="agencies")
    if not object.is_active:
        raise ValidationFailed(_("检查对象“%(name)s”已注销。") % {"name": object.name}, field="object")
    with transaction.atomic():
        visit = JointVisit.objects.create(
            number=_number("LH", planned_on),
            scenario=scenario,
            object=object,
            lead_agency=lead_agency,
            planned_on=planned_on,
            created_by=by,
        )
        _readable(visit, "LH", planned_on)
        visit.agencies.set(agencies)
        record_event(visit, "create", by=by, agency=lead_agency)
    return visit


def joint_visit_cancel(visit: JointVisit, *, by, note: str = "") -> JointVisit:
    if not perms.can_plan(by, visit.lead_agency_id):
        raise PermissionRefused(_("您不能取消该联合检查。"))
    return perform_transition(visit, "cancel", by=by, note=note)
