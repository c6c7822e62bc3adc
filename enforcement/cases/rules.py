"""The legal rules of case handling, as checks that refuse with the article they come from.

Pure checks and small lookups used by :mod:`enforcement.cases.services.lifecycle`:
who holds the matter (filing rule), the handling officers (art. 42), the
limitation period (art. 36), hearing rights (art. 63), the summary procedure
(art. 51), who may review or approve, and case numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from enforcement.access import scope_for
from enforcement.cases import legal_rules as lr
from enforcement.cases.deadlines import rule
from enforcement.cases.legal_rules import legal_rule  # noqa: F401  (the services cite rules through here)
from enforcement.cases.models import Case, CaseCounter, CasePolicy, LegalReview, PartyKind, ReviewResult
from enforcement.catalogue.models import GrantMode, Matter, MatterStatus, PenaltyKind
from enforcement.catalogue.powers import HolderAnswer, holder_of
from enforcement.catalogue.services import format_amount
from enforcement.errors import PermissionRefused, ValidationFailed
from enforcement.models.agencies import (
    TOWNSHIP_KINDS,
    Agency,
    AgencyKind,
    Certificate,
    LegalQualification,
    Membership,
    Role,
)
from enforcement.workdays import add_years

User = get_user_model()

# Modes under which a township acts on a matter (ARCHITECTURE.md, GLOSSARY "devolution", "entrustment").
TOWNSHIP_ACTING_MODES = frozenset({GrantMode.DEVOLVED, GrantMode.ENTRUSTED, GrantMode.HUB_AND_SPOKE})
# Penalties that give the party the right to a hearing whatever the amount (art. 63).
HEARING_KINDS = frozenset(
    {
        PenaltyKind.LOWER_QUALIFICATION,
        PenaltyKind.REVOKE_LICENCE,
        PenaltyKind.ORDER_SUSPENSION,
        PenaltyKind.ORDER_CLOSURE,
        PenaltyKind.RESTRICT_OPERATIONS,
        PenaltyKind.RESTRICT_EMPLOYMENT,
    }
)
# Art. 51: the summary procedure allows a warning or a small fine only.
SUMMARY_KINDS = frozenset({PenaltyKind.WARNING, PenaltyKind.FINE})
SUMMARY_FINE_LIMIT = {
    PartyKind.INDIVIDUAL: lr.SUMMARY_FINE_INDIVIDUAL, PartyKind.ORGANISATION: lr.SUMMARY_FINE_ORGANISATION,
}
MIN_OFFICERS = lr.MIN_OFFICERS
CONFISCATION_KINDS = frozenset({PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY})


# --- configuration --------------------------------------------------------------------


def case_policy() -> CasePolicy:
    """The county's case-handling settings (the single row; defaults until an administrator saves one)."""
    return lr.case_policy()


# --- filing rule ----------------------------------------------------------------------


def ancestors(agency: Agency) -> list[Agency]:
    """``agency`` and the agencies above it, nearest first (the tree is shallow)."""
    chain = [agency]
    seen = {agency.pk}
    current = agency
    while current.parent_id and current.parent_id not in seen:
        current = Agency.objects.get(pk=current.parent_id)
        chain.append(current)
        seen.add(current.pk)
    return chain


def township_of(agency: Agency, township: Agency | None) -> Agency | None:
    """The township whose grants apply: the one named, else the handling township or the squadron's."""
    if township is not None:
        return township
    if agency.kind in TOWNSHIP_KINDS:
        return agency
    if agency.kind == AgencyKind.SQUADRON_STATIONED and agency.stationed_in_id:
        return agency.stationed_in
    return None


def check_filing_power(matter: Matter, agency: Agency, township: Agency | None, on: dt.date) -> tuple[
    HolderAnswer, Agency
]:
    """Refuse to file unless ``agency`` holds ``matter`` on ``on``; return the answer and the subject agency.

    A township files only under matters devolved or entrusted to it (or
    covered by it as a "1+X" hub); an entrusted case is decided in the
    entrusting department's name. A squadron or brigade files under matters
    held by itself or by an agency above it (the bureau). The refusal names
    who does hold the matter.
    """
    if matter.status != MatterStatus.IN_FORCE:
        raise ValidationFailed(
            _("事项“%(matter)s”当前状态为“%(status)s”，不能据以立案。")
            % {"matter": f"{matter.code} {matter.name}", "status": matter.get_status_display()},
            field="matter", code="matter_not_in_force",
        )
    place = township_of(agency, township)
    answer = holder_of(matter, place, on=on)
    names = {
        "matter": f"{matter.code} {matter.name}",
        "agency": agency.name,
        "day": on.isoformat(),
        "where": place.name if place is not None else _("全县"),
    }
    if answer is None:
        raise PermissionRefused(
            _("事项“%(matter)s”在%(day)s于%(where)s没有任何机关持有行使权，%(agency)s不能立案。")
            % names,
            code="matter_not_held", fields={"matter": [_("无行使主体")]},
        )
    names.update({"holder": answer.agency.name, "via": answer.via_text})
    if agency.kind in TOWNSHIP_KINDS:
        if answer.agency.pk != agency.pk or answer.mode not in TOWNSHIP_ACTING_MODES:
            raise PermissionRefused(
                _(
                    "事项“%(matter)s”在%(day)s于%(where)s由%(holder)s行使（%(via)s），%(agency)s不能立案："
                    "乡镇（街道）只能对赋权或委托其行使的事项立案。"
                )
                % names,
                code="matter_not_held", fields={"matter": [_("本机构不持有该事项")]},
            )
    elif answer.agency.pk not in {a.pk for a in ancestors(agency)}:
        raise PermissionRefused(
            _("事项“%(matter)s”在%(day)s于%(where)s由%(holder)s行使（%(via)s），%(agency)s不能立案。") % names,
            code="matter_not_held", fields={"matter": [_("本机构不持有该事项")]},
        )
    return answer, subject_agency_for(answer, agency)


def subject_agency_for(answer: HolderAnswer, agency: Agency) -> Agency:
    """In whose name the decision is made: the entrusting department, the bureau for squadrons, else the holder."""
    if answer.mode in (GrantMode.ENTRUSTED, GrantMode.HUB_AND_SPOKE) and answer.acting_for is not None:
        return answer.acting_for
    if agency.kind in TOWNSHIP_KINDS:
        return agency
    for a in ancestors(agency):
        if a.kind == AgencyKind.BUREAU:
            return a
    return answer.agency


# --- officers (art. 42) -----------------------------------------------------------------


def check_officers(officers: Sequence, agency: Agency, on: dt.date) -> list[tuple[object, Certificate]]:
    """Refuse unless at least two distinct officers hold a certificate valid on ``on``; return (officer, certificate).

    Art. 42: penalties are enforced by at least two officers holding
    enforcement certificates, unless a law provides otherwise. Each officer
    must belong to the handling agency (or an agency above it).
    """
    unique = list({o.pk: o for o in officers if o is not None}.values())
    if len(unique) < MIN_OFFICERS:
        raise ValidationFailed(
            _("执法人员不得少于两人（《行政处罚法》第四十二条），本案只指定了 %(n)s 人。") % {"n": len(unique)},
            field="officers", code="officers",
        )
    allowed_agencies = {a.pk for a in ancestors(agency)}
    members = set(
        Membership.objects.active()
        .filter(user_id__in=[o.pk for o in unique], agency_id__in=allowed_agencies)
        .values_list("user_id", flat=True)
    )
    certificates = {
        c.officer_id: c
        for c in Certificate.objects.valid_on(on).filter(officer_id__in=[o.pk for o in unique]).order_by("valid_to")
    }
    out = []
    for officer in unique:
        name = officer.get_full_name() or officer.get_username()
        if officer.pk not in members:
            raise ValidationFailed(
                _("%(name)s 不是%(agency)s的执法人员，不能承办本案。") % {"name": name, "agency": agency.name},
                field="officers", code="officer_not_member",
            )
        certificate = certificates.get(officer.pk)
        if certificate is None:
            raise PermissionRefused(
                _("%(name)s 在 %(day)s 没有有效的行政执法证件，不能从事执法活动（《行政处罚法》第四十二条）。")
                % {"name": name, "day": on.isoformat()},
                code="certificate_required", fields={"officers": [_("执法证无效")]},
            )
        out.append((officer, certificate))
    return out


def check_record_officers(officers: Sequence, agency: Agency, on: dt.date) -> list[tuple[object, Certificate]]:
    """Art. 42, 55: an inquiry or inspection record is made by two distinct officers certified on ``on``."""
    people = [o for o in officers if o is not None]
    if len({o.pk for o in people}) < MIN_OFFICERS:
        r = lr.legal_rule("record_officers")
        raise ValidationFailed(
            _("调查、询问须由两名以上执法人员进行，请指定另一名执法人员作为记录人（%(article)s）。")
            % {"article": r.article},
            field="recorder", code=r.key,
        )
    return check_officers(people, agency, on)


def require_certified_handler(user, on: dt.date) -> None:
    """The acting officer holds a valid certificate on the day (art. 42); administrators act as the system."""
    if user is None or user.is_superuser or scope_for(user).has_role(Role.ADMINISTRATOR):
        return
    from enforcement.officers import require_certified

    require_certified(user, on)


# --- limitation period (art. 36) --------------------------------------------------------------


def limitation_years(case: Case) -> tuple[int, str]:
    key = "limitation_safety" if case.involves_safety else "limitation"
    r = rule(key)
    return r.amount, r.article


def limitation_end(case: Case) -> dt.date:
    """The last day on which the violation may still be discovered and punished."""
    years, _article = limitation_years(case)
    return add_years(case.limitation_start, years)


def check_limitation(case: Case) -> None:
    """Art. 36: no penalty for a violation not discovered within two (five) years."""
    years, article = limitation_years(case)
    end = limitation_end(case)
    if case.discovered_on > end:
        raise ValidationFailed(
            _(
                "违法行为自 %(start)s 起至 %(found)s 被发现已超过 %(years)s 年，不再给予行政处罚（%(article)s）。"
            )
            % {"start": case.limitation_start.isoformat(), "found": case.discovered_on.isoformat(), "years": years,
               "article": article},
            field="occurred_on", code="limitation_safety" if case.involves_safety else "limitation",
        )


# --- hearing rights (art. 63) and the summary procedure (art. 51) -------------------------------


def confiscated_value(kinds: Iterable[str], confiscated: Decimal | None, gains: Decimal | None) -> Decimal | None:
    """The value a penalty confiscates: the amount stated, else the illegal gains when they are confiscated."""
    kinds = set(kinds)
    if not kinds & CONFISCATION_KINDS:
        return None
    if confiscated is not None:
        return confiscated
    return gains if PenaltyKind.CONFISCATE_GAINS in kinds else None


def hearing_reasons(party_kind: str, kinds: Iterable[str], fine: Decimal | None,
                    confiscated: Decimal | None = None) -> list[str]:
    """Why the proposed penalty gives the party the right to a hearing (empty: no hearing right, art. 63)."""
    policy = case_policy()
    kinds = list(kinds)
    labels = dict(PenaltyKind.choices)
    reasons = [str(labels[k]) for k in kinds if k in HEARING_KINDS]
    individual = party_kind == PartyKind.INDIVIDUAL
    threshold = policy.hearing_fine_individual if individual else policy.hearing_fine_organisation
    if fine is not None and PenaltyKind.FINE in kinds and fine >= threshold:
        reasons.append(_("较大数额罚款（%(fine)s 元，达到 %(threshold)s 元）")
                       % {"fine": format_amount(fine), "threshold": format_amount(threshold)})
    limit = policy.hearing_confiscation_individual if individual else policy.hearing_confiscation_organisation
    if confiscated is not None and set(kinds) & CONFISCATION_KINDS and confiscated >= limit:
        reasons.append(_("没收较大数额违法所得、较大价值非法财物（%(amount)s 元，达到 %(threshold)s 元）")
                       % {"amount": format_amount(confiscated), "threshold": format_amount(limit)})
    return reasons


# --- the decision against the notice (art. 44, 45) ------------------------------------------------


def check_not_heavier_than_notice(case: Case, kinds: Sequence[str], fine: Decimal | None,
                                  confiscated: Decimal | None) -> list[str]:
    """Refuse a penalty heavier than the advance notice announced; return how a lighter one differs.

    Heavier: a kind the notice did not announce, a larger fine, or a larger
    confiscation than announced. The party must be told again (a new notice,
    with a new hearing period when the new penalty gives that right).
    """
    labels = dict(PenaltyKind.choices)
    proposed = set(case.proposed_kinds or [])
    heavier = [_("增加了处罚种类“%(kind)s”") % {"kind": labels.get(k, k)} for k in kinds if k not in proposed]
    if fine is not None and PenaltyKind.FINE in kinds and fine > (case.proposed_fine or Decimal("0")):
        heavier.append(_("罚款 %(fine)s 元高于告知的 %(proposed)s 元")
                       % {"fine": format_amount(fine), "proposed": format_amount(case.proposed_fine or Decimal("0"))})
    if (confiscated is not None and case.proposed_confiscated is not None
            and confiscated > case.proposed_confiscated):
        heavier.append(_("没收 %(amount)s 元高于告知的 %(proposed)s 元")
                       % {"amount": format_amount(confiscated), "proposed": format_amount(case.proposed_confiscated)})
    if heavier:
        r = lr.legal_rule("notice_heavier")
        raise ValidationFailed(
            _("拟作出的处罚重于事先告知的处罚（%(what)s），须重新告知当事人并保障其陈述、申辩和听证权利后再作出决定（%(article)s）。")
            % {"what": "；".join(str(h) for h in heavier), "article": r.article},
            field="fine_amount", code=r.key,
        )
    lighter = [str(_("未给予告知的“%(kind)s”")) % {"kind": labels.get(k, k)} for k in proposed if k not in kinds]
    if fine is not None and case.proposed_fine is not None and fine < case.proposed_fine:
        lighter.append(str(_("罚款由告知的 %(proposed)s 元减为 %(fine)s 元"))
                       % {"fine": format_amount(fine), "proposed": format_amount(case.proposed_fine)})
    return lighter


# --- late payment (art. 72) ---------------------------------------------------------------------------


def surcharge(case: Case, paid_on: dt.date) -> Decimal:
    """Art. 72: 3 % of the fine for each day after the payment due date, never more than the fine."""
    from django.utils import timezone

    fine = case.fine_amount or Decimal("0")
    if fine <= 0 or case.payment_due_at is None:
        return Decimal("0")
    days_late = (paid_on - timezone.localtime(case.payment_due_at).date()).days
    if days_late <= 0:
        return Decimal("0")
    return min((fine * lr.SURCHARGE_RATE * days_late).quantize(Decimal("0.01")), fine)


def surcharge_text(fine: Decimal | None) -> str:
    """The surcharge rule as printed on a decision (with its cap when the fine is known)."""
    text = _("到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额"
             "（《中华人民共和国行政处罚法》第七十二条第一款第一项）")
    if fine:
        text = _("%(rule)s，即每日 %(daily)s 元，最多 %(cap)s 元") % {
            "rule": text, "daily": format_amount((fine * lr.SURCHARGE_RATE).quantize(Decimal("0.01"))),
            "cap": format_amount(fine)}
    return str(text) + "。"


def remedies_text() -> str:
    """Art. 52: the summary decision states the time limits of reconsideration and litigation."""
    return str(_("当事人对本决定不服的，可以自收到本决定书之日起%(days)s日内依法申请行政复议，"
                 "或者%(months)s个月内依法向人民法院提起行政诉讼（《中华人民共和国行政复议法》第二十条、"
                 "《中华人民共和国行政诉讼法》第四十六条）。行政复议或者行政诉讼期间，本决定不停止执行。")
               % {"days": lr.RECONSIDERATION_DAYS, "months": lr.LITIGATION_MONTHS})


# --- legal reviewers (art. 58(2)) ---------------------------------------------------------------------


def check_legal_reviewer_qualified(user) -> None:
    """A first-time legal reviewer must hold the legal professional qualification (art. 58(2))."""
    if user is None:
        return
    if LegalQualification.objects.filter(officer_id=user.pk).exists():
        return
    reviewed_before = LegalReview.objects.filter(reviewer_id=user.pk).exclude(result=ReviewResult.PENDING).exists()
    if reviewed_before:
        return
    r = lr.legal_rule("legal_reviewer")
    raise PermissionRefused(
        _("%(name)s 初次从事法制审核，但未登记法律职业资格（证书编号、取得日期），不能进行法制审核（%(article)s）。")
        % {"name": user.get_full_name() or user.get_username(), "article": r.article},
        code=r.key,
    )


# --- first offense (art. 33) ----------------------------------------------------------------------------


def prior_offense_filter(case: Case):
    """How to find the party's earlier cases: ID number (or credit code), else name and address; None: unreliable."""
    from django.db.models import Q

    if case.party_id_number.strip():
        return Q(party_id_number=case.party_id_number.strip())
    if case.party_kind == PartyKind.INDIVIDUAL and case.party_name.strip() and case.party_address.strip():
        return Q(party_name=case.party_name.strip(), party_address=case.party_address.strip())
    return None


def check_summary(party_kind: str, kinds: Sequence[str], fine: Decimal | None) -> None:
    """Art. 51: on the spot only a warning, or a fine up to 200 yuan (individual) / 3,000 yuan (organisation)."""
    limit = SUMMARY_FINE_LIMIT.get(party_kind, SUMMARY_FINE_LIMIT[PartyKind.INDIVIDUAL])
    message = _(
        "简易程序只适用于警告，或者对公民处二百元以下、对法人或者其他组织处三千元以下罚款"
        "（《行政处罚法》第五十一条）。"
    )
    if not kinds:
        raise ValidationFailed(_("请选择处罚种类。"), field="penalty_kinds")
    if any(k not in SUMMARY_KINDS for k in kinds):
        raise ValidationFailed(message, field="penalty_kinds", code="summary_fine_individual"
                               if party_kind == PartyKind.INDIVIDUAL else "summary_fine_organisation")
    if PenaltyKind.FINE in kinds:
        if fine is None or fine <= 0:
            raise ValidationFailed(_("处罚种类包含“罚款”，请填写罚款金额。"), field="fine_amount")
        if fine > limit:
            raise ValidationFailed(message, field="fine_amount", code="summary_fine_individual"
                                   if party_kind == PartyKind.INDIVIDUAL else "summary_fine_organisation")


# --- numbers ------------------------------------------------------------------------------------

# Kinds of number (文号): the character in "……罚决字〔2026〕第12号".
NUMBER_KINDS = {
    "registry": "",
    "filing": "立",
    "notice": "罚告",
    "hearing": "听通",
    "review": "法审",
    "decision": "罚决",
    "no_penalty": "不罚决",
    "summary": "简罚决",
    "transfer": "移",
    "archive": "档",
}


def number_prefix(agency: Agency) -> str:
    """"青山综执" for a township, "县综执" for the bureau and its units, a department's short name otherwise."""
    if agency.kind in TOWNSHIP_KINDS:
        return f"{agency.short_name or agency.name}综执"
    if agency.kind == AgencyKind.DEPARTMENT:
        return agency.short_name or agency.name
    from django.conf import settings

    return f"{getattr(settings, 'COUNTY_ABBREVIATION', '县')}综执"


def next_serial(agency: Agency, kind: str, year: int) -> int:
    """The next serial of ``kind`` for ``agency`` in ``year``: locked, so two filings never share a number."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                counter, _created = CaseCounter.objects.select_for_update().get_or_create(
                    agency=agency, year=year, kind=kind
                )
                CaseCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
                counter.refresh_from_db(fields=["last"])
                return counter.last
        except IntegrityError:  # a concurrent first number of the year: retry and lock the row it created
            continue
    raise RuntimeError("could not allocate a case number")


def document_number(agency: Agency, kind: str, year: int) -> str:
    serial = next_serial(agency, kind, year)
    return _("%(prefix)s%(kind)s字〔%(year)s〕第%(n)s号") % {
        "prefix": number_prefix(agency), "kind": NUMBER_KINDS[kind], "year": year, "n": serial,
    }


def registry_number(agency: Agency, year: int) -> str:
    return f"{agency.code}-{year}-{next_serial(agency, 'registry', year):05d}"
