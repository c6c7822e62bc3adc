"""Fixtures of the devolution tests: a county whose two townships are ready, and a few matters."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from enforcement.models import AgencyKind, Role
from tests.devolution.helpers import county_grant, make_matter, staff_township
from tests.factories import AgencyFactory, member


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dv(county, administrator, judicial_reviewer):
    """Both townships meet the readiness thresholds; three catalogue matters held county-wide by the bureau."""
    staff_township(county.town_a, prefix="ta")
    staff_township(county.town_b, prefix="tb")
    matters = [make_matter(f"ZRZY-{n:04d}", f"自然资源事项{n}", department=county.department) for n in range(1, 4)]
    for m in matters:
        county_grant(m, county.bureau)
    establishment = AgencyFactory(code="BB", name="县委编办", kind=AgencyKind.ESTABLISHMENT_OFFICE)
    return SimpleNamespace(
        county=county, admin=administrator, reviewer=judicial_reviewer, matters=matters,
        town_a=county.town_a, town_b=county.town_b, department=county.department, bureau=county.bureau,
        establishment=establishment,
        establishment_staff=member(Role.DEPARTMENT_STAFF, establishment, "bb_staff"),
    )
