"""Masking of a case party's personal data: the one place it is done (ARCHITECTURE.md "Permissions").

Readers with a need to know see the party in full: the officers of the
handling agency (and the agencies above it), legal reviewers of the case,
reviewers assigned to the case file by a guardian grant, and administrators.
Everybody else (county-wide readers such as dispatchers, an unassigned
judicial reviewer) sees it masked; public pages always mask.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from enforcement.access import scope_for
from enforcement.cases.models import Case, PartyKind, granted_case_ids
from enforcement.models.agencies import AgencyKind, Membership, Role


def mask_name(name: str, kind: str = PartyKind.INDIVIDUAL) -> str:
    """``张三`` -> ``张*``; an organisation keeps its first two and last two characters."""
    name = (name or "").strip()
    if not name:
        return ""
    if kind == PartyKind.ORGANISATION and len(name) > 6:
        return name[:2] + "*" * (len(name) - 4) + name[-2:]
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_id_number(value: str) -> str:
    """``330102199001011234`` -> ``3301**********1234``; a short number keeps its last two characters."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 10:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return "*" * max(len(value) - 2, 1) + value[-2:]


def mask_phone(value: str) -> str:
    value = (value or "").strip()
    if len(value) >= 7:
        return value[:3] + "****" + value[-4:]
    return "*" * len(value)


def mask_address(value: str) -> str:
    """Keep the area (first six characters), hide the street and number."""
    value = (value or "").strip()
    if len(value) <= 6:
        return value[:2] + "*" * max(len(value) - 2, 0)
    return value[:6] + "****"


def mask_text(value: str, case: Case) -> str:
    """``value`` with the party's personal data masked wherever it occurs (a title or facts naming the party).

    An individual's name, and any party's ID number, phone and address (an
    organisation's name and legal representative are public in a published
    decision, as in :func:`masked_party`).
    """
    value = value or ""
    pairs: list[tuple[str, str]] = []
    if case.party_kind == PartyKind.INDIVIDUAL and (case.party_name or "").strip():
        name = case.party_name.strip()
        pairs.append((name, mask_name(name)))
    for raw, masker in ((case.party_id_number, mask_id_number), (case.party_phone, mask_phone),
                        (case.party_address, mask_address)):
        if (raw or "").strip():
            pairs.append((raw.strip(), masker(raw)))
    # Longest first, so that a name inside an address is not masked twice.
    for raw, masked in sorted(pairs, key=lambda p: -len(p[0])):
        value = value.replace(raw, masked)
    return value


def masked_party(case: Case) -> dict[str, str]:
    """The party as every reader without a need (and every public page) sees it."""
    org = case.party_kind == PartyKind.ORGANISATION
    return {
        "kind": case.get_party_kind_display(),
        # An organisation's name and legal representative are public in a published decision.
        "name": case.party_name if org else mask_name(case.party_name),
        "id_number": mask_id_number(case.party_id_number),
        "address": mask_address(case.party_address),
        "phone": mask_phone(case.party_phone),
        "legal_rep": case.party_legal_rep if org else "",
        "masked": True,
    }


def full_party(case: Case) -> dict[str, str]:
    return {
        "kind": case.get_party_kind_display(), "name": case.party_name, "id_number": case.party_id_number,
        "address": case.party_address, "phone": case.party_phone, "legal_rep": case.party_legal_rep,
        "masked": False,
    }


@dataclass
class Viewer:
    """What one user may see of cases' personal data, computed once per request (two queries at most)."""

    user: object
    all_cases: bool = False
    agency_ids: frozenset[int] = frozenset()
    granted_ids: set[int] = field(default_factory=set)

    def sees(self, case: Case) -> bool:
        return self.all_cases or case.agency_id in self.agency_ids or case.pk in self.granted_ids

    def party(self, case: Case) -> dict[str, str]:
        return full_party(case) if self.sees(case) else masked_party(case)


def viewer_for(user) -> Viewer:
    if user is None or not user.is_authenticated:
        return Viewer(user)
    scope = scope_for(user)
    if user.is_superuser or scope.has_role(Role.ADMINISTRATOR):
        return Viewer(user, all_cases=True)
    reviewer = Membership.objects.active().filter(user_id=user.pk, agency__kind=AgencyKind.LEGAL_REVIEW_CENTRE).exists()
    agency_ids = frozenset() if scope.county_wide and not scope.has_role(
        Role.TOWNSHIP_OFFICER, Role.TOWNSHIP_LEADER, Role.SQUADRON_OFFICER, Role.SQUADRON_LEADER, Role.LEGAL_REVIEWER
    ) else scope.agency_ids
    granted = set(granted_case_ids(user, ("view_case_file", "review_case")))
    return Viewer(user, all_cases=reviewer, agency_ids=agency_ids, granted_ids=granted)


def party_for(user, case: Case) -> dict[str, str]:
    return viewer_for(user).party(case)
