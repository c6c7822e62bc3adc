"""Every change to warnings: issuing (on its own or from an inspection record), re-checking, the deadline sweep.

Rules, each from the one table of legal rules (``enforcement.cases.legal_rules``, keys
``warning_*``), cited in every refusal:

* only matters on the county's warning list, with every listed condition confirmed by the
  officer (Administrative Penalty Law art. 33: first violation, minor harm, corrected in time);
* the correction deadline is ``correction_workdays`` working days after the day of issue
  (art. 28 orders correction but sets no period, so the county's list sets it), counted by
  :func:`enforcement.workdays.deadline_for` with the official holiday calendar;
* a second warning to the same party for the same matter within the list's repeat period is
  refused: the violation is no longer a first one and goes to a case;
* "not corrected" may be recorded only after the deadline has passed; it registers a case lead
  (``enforcement.cases``) with the warning's history as facts and the warning's number as
  ``source_ref``.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.cases.choices import CaseSource, PartyKind, WarningLevel
from enforcement.cases.deadlines import SWEEP_CHUNK, SweepResult, sweep_levels, yellow_share
from enforcement.cases.legal_rules import legal_rule
from enforcement.cases.rules import check_filing_power
from enforcement.cases.services.evidence import check_upload, sha256_of
from enforcement.cases.services.lifecycle import case_create_lead
from enforcement.catalogue.models import Matter
from enforcement.errors import DomainError, InvalidTransition, PermissionRefused, ValidationFailed
from enforcement.inspections.choices import Disposition, FindingResult, ObjectKind, Outcome
from enforcement.inspections.models import InspectionObject, InspectionRecord
from enforcement.inspections.services import certified_through
from enforcement.links import detail_url
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency
from enforcement.warnings import permissions as perms
from enforcement.warnings.choices import WarningKind, WarningStatus
from enforcement.warnings.models import WarningMatter, WarningNotice
from enforcement.workdays import Deadline, Unit, deadline_for, warn_time
from enforcement.workflow import perform_transition, record_event

MIN_OFFICERS = 2


def _today() -> dt.date:
    return timezone.localdate()


def _article(key: str) -> str:
    return str(legal_rule(key).article)


# --- the warning list ----------------------------------------------------------------------------


def warning_entry(matter: Matter) -> WarningMatter:
    """The matter's entry on the county's warning list, or a refusal saying it is not on it."""
    entry = WarningMatter.objects.filter(matter=matter, is_active=True).first()
    if entry is None:
        raise ValidationFailed(
            _("事项“%(matter)s”不在本县预警执法事项清单内，不能出具预警，请依法立案查处（%(article)s）。")
            % {"matter": f"{matter.code} {matter.name}", "article": _article("warning_first_offense")},
            field="matter",
            code="warning_first_offense",
        )
    return entry


def correction_due(issued_on: dt.date, workdays: int) -> Deadline:
    """The end of the ``workdays``-th working day after the day of issue (that day does not count)."""
    return deadline_for(issued_on, workdays, Unit.WORKING_DAYS)


# --- issuing ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    kind: str
    name: str
    id_number: str = ""
    address: str = ""
    phone: str = ""
    legal_rep: str = ""
    object: InspectionObject | None = None

    @classmethod
    def of(cls, obj: InspectionObject, legal_rep: str = "") -> Party:
        kind = PartyKind.INDIVIDUAL if obj.kind == ObjectKind.INDIVIDUAL else PartyKind.ORGANISATION
        return cls(
            kind=kind,
            name=obj.name,
            id_number=obj.identifier,
            address=obj.address,
            phone=obj.contact_phone,
            legal_rep=legal_rep or obj.contact_name,
            object=obj,
        )


def earlier_warning(matter: Matter, party: Party, on: dt.date, repeat_days: int) -> WarningNotice | None:
    """The party's latest warning for ``matter`` issued within ``repeat_days`` days before ``on``, if any."""
    same = Q(pk__in=[])
    if party.object is not None:
        same |= Q(object=party.object)
    if party.id_number.strip():
        same |= Q(party_id_number=party.id_number.strip())
    if party.object is None and not party.id_number.strip():
        same |= Q(party_name=party.name.strip())
    # The period runs for ``repeat_days`` days after the day of the earlier warning (that day not counted).
    since = on - dt.timedelta(days=repeat_days)
    return (
        WarningNotice.objects.filter(same, matter=matter, issued_on__gte=since, issued_on__lte=on)
        .order_by("-issued_on", "-pk")
        .first()
    )


def _check_officers(officers: Sequence, day: dt.date) -> None:
    ids = list(dict.fromkeys(u.pk for u in officers))
    if len(ids) < MIN_OFFICERS:
        raise ValidationFailed(
            _("执法人员不得少于两名（%(article)s）。") % {"article": _article("officers")},
            field="officers",
            code="officers",
        )
    certified = certified_through(ids, day, day)
    missing = [u for u in officers if u.pk not in certified]
    if missing:
        raise ValidationFailed(
            _("以下人员在%(day)s没有有效的执法证：%(names)s（%(article)s）。")
            % {
                "day": day,
                "names": "、".join(u.get_full_name() or u.username for u in missing),
                "article": _article("officers"),
            },
            field="officers",
            code="officers",
        )


def check_holder(matter: Matter, agency: Agency, township: Agency | None, day: dt.date) -> None:
    """Refuse unless ``agency`` holds ``matter`` in ``township`` on ``day``: the filing rule of cases, reused.

    A warning orders the party to correct under the matter's provisions (Administrative Penalty Law
    art. 28) and, if not corrected, becomes the agency's own case lead: only an agency that could
    file under the matter there may issue it. The refusal keeps the filing rule's reason (who does
    hold the matter) and cites the rule.
    """
    try:
        check_filing_power(matter, agency, township, day)
    except DomainError as exc:
        raise type(exc)(
            _("%(agency)s不能以该事项出具预警（%(article)s）：%(reason)s")
            % {"agency": agency.name, "article": _article("warning_holder"), "reason": exc.message},
            field="matter",
            code="warning_holder",
        ) from exc


def _number(day: dt.date) -> str:
    # Unique at once; replaced by the readable number once the row has its id.
    return f"YJ-{day.year}-tmp-{uuid.uuid4().hex[:12]}"


def warning_issue(
    *,
    by,
    agency: Agency,
    matter: Matter,
    party: Party,
    officers: Sequence,
    facts: str,
    conditions: Sequence[str],
    kind: str = WarningKind.NOTICE,
    issued_on: dt.date | None = None,
    township: Agency | None = None,
    record: InspectionRecord | None = None,
    commitment_text: str = "",
    commitment_file=None,
) -> WarningNotice:
    """Issue a warning notice (责令改正通知书) or record the party's written commitment to correct (告知承诺).

    Refuses, changing nothing: a matter not on the warning list, a listed condition not
    confirmed, a matter the agency does not hold in the party's township that day (the filing
    rule of cases), a second warning within the repeat period, fewer than two certified officers.
    """
    if not perms.can_issue(by, agency.pk):
        raise PermissionRefused(_("您不是%(agency)s的执法人员，不能以其名义出具预警。") % {"agency": agency.name})
    day = issued_on or _today()
    if day > _today():
        raise ValidationFailed(_("出具日期不能晚于今天。"), field="issued_on")
    if kind not in WarningKind.values:
        raise ValidationFailed(_("请选择预警方式。"), field="kind")
    if party.kind not in PartyKind.values:
        raise ValidationFailed(_("请选择当事人类型。"), field="party_kind")
    if not party.name.strip():
        raise ValidationFailed(_("请填写当事人。"), field="party_name")
    if not (facts or "").strip():
        raise ValidationFailed(_("请填写违法事实。"), field="facts")
    entry = warning_entry(matter)
    missing = [c for c in entry.condition_list if c not in set(conditions)]
    if missing:
        raise ValidationFailed(
            _("未确认以下适用条件，不能出具预警：%(missing)s（%(article)s）。")
            % {"missing": "、".join(missing), "article": _article("warning_first_offense")},
            field="conditions",
            code="warning_first_offense",
        )
    if kind == WarningKind.COMMITMENT:
        if not commitment_text.strip():
            raise ValidationFailed(_("请填写当事人承诺的内容。"), field="commitment_text")
        if commitment_file is None:
            raise ValidationFailed(_("请上传当事人签名的承诺书。"), field="commitment_file")
        check_upload(commitment_file)
    if township is None:
        township = (
            party.object.township if party.object is not None else agency if agency.kind in TOWNSHIP_KINDS else None
        )
    check_holder(matter, agency, township, day)
    _check_officers(officers, day)
    with transaction.atomic():
        # Serialise warnings under one matter, so that two officers cannot both issue a "first" warning.
        entry = WarningMatter.objects.select_for_update().get(pk=entry.pk)
        earlier = earlier_warning(matter, party, day, entry.repeat_days)
        if earlier is not None:
            raise ValidationFailed(
                _(
                    "当事人“%(party)s”已于%(day)s因同一事项被预警（%(number)s），%(days)s日内再次违法的不再预警，"
                    "请转为案件办理（%(article)s）。"
                )
                % {
                    "party": party.name,
                    "day": earlier.issued_on.isoformat(),
                    "number": earlier.number,
                    "days": entry.repeat_days,
                    "article": _article("warning_repeat"),
                },
                field="matter",
                code="warning_repeat",
            )
        due = correction_due(day, entry.correction_workdays)
        warning = WarningNotice.objects.create(
            number=_number(day),
            kind=kind,
            agency=agency,
            township=township,
            matter=matter,
            object=party.object,
            party_kind=party.kind,
            party_name=party.name.strip(),
            party_id_number=party.id_number.strip(),
            party_address=party.address.strip(),
            party_phone=party.phone.strip(),
            party_legal_rep=party.legal_rep.strip(),
            record=record,
            facts=facts.strip(),
            conditions_confirmed=list(entry.condition_list),
            issued_on=day,
            correction_workdays=entry.correction_workdays,
            correction_due_at=due.at,
            due_provisional=due.provisional,
            commitment_text=commitment_text.strip(),
            created_by=by,
        )
        warning.number = f"YJ-{day.year}-{warning.pk:06d}"
        WarningNotice.objects.filter(pk=warning.pk).update(number=warning.number)
        warning.officers.set(list(dict.fromkeys(officers)))
        data = {"matter": matter.code, "due": due.date.isoformat(), "kind": kind}
        if commitment_file is not None:
            warning.commitment_sha256 = sha256_of(commitment_file)
            warning.commitment_name = commitment_file.name[:200]
            warning.commitment_file.save(commitment_file.name, commitment_file, save=False)
            warning.save(update_fields=["commitment_file", "commitment_sha256", "commitment_name"])
            data["sha256"] = warning.commitment_sha256
        record_event(warning, "issue", by=by, agency=agency, data=data)
    return warning


def warning_issue_from_record(
    record: InspectionRecord,
    *,
    by,
    matter: Matter,
    facts: str,
    conditions: Sequence[str],
    kind: str = WarningKind.NOTICE,
    party_legal_rep: str = "",
    commitment_text: str = "",
    commitment_file=None,
    note: str = "",
    issued_on: dt.date | None = None,
) -> WarningNotice:
    """The record action "issue a warning": the warning takes the record's party and officers and closes it.

    Issued today unless ``issued_on`` says otherwise (an earlier day, not before the inspection).
    """
    if not perms.can_issue(by, record.agency_id):
        raise PermissionRefused(_("您不能处理该检查记录。"))
    if issued_on is not None and issued_on < record.checked_on:
        raise ValidationFailed(_("出具日期不能早于检查日期。"), field="issued_on")
    if record.outcome != Outcome.ORDERED_TO_CORRECT:
        raise InvalidTransition(
            _("检查结果为“%(outcome)s”的记录不能出具预警。") % {"outcome": record.get_outcome_display()}
        )
    officers = [ro.officer for ro in record.record_officers.select_related("officer").order_by("ordinal")]
    with transaction.atomic():
        warning = warning_issue(
            by=by,
            agency=record.agency,
            matter=matter,
            party=Party.of(record.object, party_legal_rep),
            officers=officers,
            facts=facts,
            conditions=conditions,
            kind=kind,
            township=record.township,
            issued_on=issued_on,
            record=record,
            commitment_text=commitment_text,
            commitment_file=commitment_file,
        )
        perform_transition(
            record,
            "dispose",
            by=by,
            note=note or warning.number,
            disposition=Disposition.WARNING,
            agency=record.agency,
            data={"warning": warning.number},
        )
    return warning


def record_default_facts(record: InspectionRecord) -> str:
    """The facts a warning from ``record`` starts with: the record's and its problem findings."""
    return "\n".join(
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


# --- re-check --------------------------------------------------------------------------------------


def _check_recheck_day(warning: WarningNotice, on: dt.date) -> None:
    if on < warning.issued_on:
        raise ValidationFailed(_("复查日期不能早于出具日期。"), field="on")
    if on > _today():
        raise ValidationFailed(_("复查日期不能晚于今天。"), field="on")


def warning_mark_corrected(warning: WarningNotice, *, by, on: dt.date | None = None, note: str = "") -> WarningNotice:
    """Re-check found the violation corrected: closed as self-corrected (自行整改)."""
    on = on or _today()
    _check_recheck_day(warning, on)
    return perform_transition(
        warning, "correct", by=by, on=on, note=note, agency=warning.agency, data={"on": on.isoformat()}
    )


def history_text(warning: WarningNotice, *, on: dt.date, note: str) -> str:
    """The warning's history, attached to the case lead as facts."""
    due = timezone.localtime(warning.correction_due_at).date()
    lines = [
        warning.facts,
        "",
        _("【预警执法经过】"),
        _("%(day)s %(agency)s出具%(kind)s %(number)s，责令当事人于%(due)s前改正（%(article)s）。")
        % {
            "day": warning.issued_on.isoformat(),
            "agency": warning.agency.name,
            "kind": warning.get_kind_display(),
            "number": warning.number,
            "due": due.isoformat(),
            "article": _article("warning_correction"),
        },
    ]
    if warning.record_id:
        lines.append(_("预警依据检查记录 %(number)s。") % {"number": warning.record.number})
    if warning.commitment_text:
        lines.append(_("当事人书面承诺：%(text)s") % {"text": warning.commitment_text})
    lines.append(_("%(day)s 复查：逾期未改正。%(note)s") % {"day": on.isoformat(), "note": note})
    return "\n".join(lines)


def warning_to_case(
    warning: WarningNotice, *, by, on: dt.date | None = None, note: str = "", title: str = "", party_legal_rep: str = ""
) -> WarningNotice:
    """Re-check found the violation not corrected after the deadline: a case lead with the warning's history."""
    on = on or _today()
    _check_recheck_day(warning, on)
    due = timezone.localtime(warning.correction_due_at).date()
    if on <= due:
        raise InvalidTransition(
            _("改正期限至%(due)s届满，期限内不能认定逾期未改正（%(article)s）。")
            % {"due": due.isoformat(), "article": _article("warning_correction")},
            code="warning_correction",
        )
    if not perms.can_handle_warning(warning, by):
        raise PermissionRefused(_("您不能复查该预警。"))
    source = CaseSource.INSPECTION if warning.record_id else CaseSource.OTHER
    with transaction.atomic():
        case = case_create_lead(
            by=by,
            agency=warning.agency,
            matter=warning.matter,
            title=title.strip()
            or _("%(party)s逾期未改正%(matter)s") % {"party": warning.party_name, "matter": warning.matter.name},
            occurred_on=warning.record.checked_on if warning.record_id else warning.issued_on,
            party_kind=warning.party_kind,
            party_name=warning.party_name,
            party_id_number=warning.party_id_number,
            party_address=warning.party_address,
            party_phone=warning.party_phone,
            party_legal_rep=party_legal_rep.strip() or warning.party_legal_rep,
            township=warning.township,
            source=source,
            source_ref=warning.number,
            facts=history_text(warning, on=on, note=note),
            place=warning.record.place if warning.record_id else warning.party_address,
            discovered_on=on,
        )
        warning = perform_transition(
            warning,
            "escalate",
            by=by,
            on=on,
            case=case,
            note=note,
            agency=warning.agency,
            data={"case": case.number, "on": on.isoformat()},
        )
        record_event(case, "from_warning", by=by, agency=warning.agency, data={"warning": warning.number})
    return warning


# --- the deadline sweep (亮灯) -------------------------------------------------------------------


def yellow_from(share: float) -> Callable[[dt.date, dt.datetime], dt.datetime]:
    """When a warning issued on a day with a given deadline turns yellow, kept per (day, deadline) by the function.

    A sweep makes one for all its warnings: the warnings issued on one day with the same period
    share that moment, and counting the working days again for each warning (0.3 ms) was most
    of a sweep's time.
    """

    @functools.cache
    def at(issued_on: dt.date, due: dt.datetime) -> dt.datetime:
        return warn_time(issued_on, due, share, Unit.WORKING_DAYS)

    return at


def level_at(warning: WarningNotice, now: dt.datetime, share: float, *,
             yellow_at: Callable[[dt.date, dt.datetime], dt.datetime] | None = None) -> str:
    """Red past the deadline; yellow after ``share`` of its working time (a holiday does not count).

    ``yellow_at``: a :func:`yellow_from` of ``share`` (a sweep passes one); ``warning`` may be a
    row with the same attributes.
    """
    if warning.status != WarningStatus.ISSUED:
        return WarningLevel.NONE
    if now > warning.correction_due_at:
        return WarningLevel.RED
    if now >= (yellow_at or yellow_from(share))(warning.issued_on, warning.correction_due_at):
        return WarningLevel.YELLOW
    return WarningLevel.NONE


class _WarningRow(NamedTuple):
    """A warning as the sweep reads it: what :func:`level_at` and the current light need."""

    pk: int
    status: str
    issued_on: dt.date
    correction_due_at: dt.datetime
    warning_level: str


def sweep_warning_levels(now: dt.datetime | None = None, *, chunk: int = SWEEP_CHUNK) -> SweepResult:
    """Move open warnings to yellow/red in updates by chunk; notify the officers once per change (idempotent)."""
    now = now or timezone.now()
    share = yellow_share()
    yellow_at = yellow_from(share)
    candidates = WarningNotice.objects.filter(Q(status=WarningStatus.ISSUED) | ~Q(warning_level=WarningLevel.NONE))
    return sweep_levels(WarningNotice, candidates, _WarningRow,
                        lambda warning: level_at(warning, now, share, yellow_at=yellow_at), now, _notify, chunk=chunk)


def _notify(changes: list[tuple[int, str]]) -> int:
    """Notify the officers of these warnings of their new light: three reads and one bulk send."""
    from django.contrib.auth import get_user_model

    from enforcement.notifications import Message, SubjectRef, notify_each

    ids = [pk for pk, _level in changes]
    officers: dict[int, list[int]] = defaultdict(list)
    for warning_id, user_id in WarningNotice.officers.through.objects.filter(warningnotice_id__in=ids).values_list(
            "warningnotice_id", "user_id"):
        officers[warning_id].append(user_id)
    # Each user loaded once: a catch-up names the same few officers on thousands of warnings.
    users = get_user_model().objects.filter(pk__in={u for us in officers.values() for u in us}, is_active=True)
    users = {u.pk: u for u in users}
    warnings = {w.pk: w for w in WarningNotice.objects.filter(pk__in=ids).values_list(
        "pk", "number", "party_name", "correction_due_at", named=True)}
    # Translated once per chunk, not once per warning; the time zone read once too.
    titles = {WarningLevel.YELLOW: _("预警 %(number)s 改正期限将至（黄灯）：%(party)s"),
              WarningLevel.RED: _("预警 %(number)s 改正期限已过（红灯），请复查：%(party)s")}
    body = _("改正期限：%(due)s。")
    tz = timezone.get_current_timezone()
    messages = []
    for pk, level in changes:
        if pk not in warnings:  # deleted meanwhile
            continue
        w = warnings[pk]
        messages.append(
            Message(
                recipients=[users[u] for u in officers.get(pk, []) if u in users],
                subject=SubjectRef(WarningNotice, pk),
                reason=f"warning.level.{level}",
                title=titles[level] % {"number": w.number, "party": w.party_name},
                body=body % {"due": timezone.localtime(w.correction_due_at, tz).strftime("%Y-%m-%d")},
                url=detail_url("warnings:detail", pk),
            )
        )
    return len(notify_each(messages))
