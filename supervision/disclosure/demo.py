"""Demo seed step: the report published last year (for year - 2) and this year's draft (for year - 1).

Built relative to today through the real services (figures, analysis,
review, publication and their events), after the case-file review demo so
that the review figures are in. The published report's dates are moved to
the January it was due in (demo rows). Idempotent: a year that has a report
is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.demo import seed_step
from enforcement.workdays import SHANGHAI
from supervision.disclosure import services
from supervision.disclosure.models import DisclosureReport

User = get_user_model()
REVIEWER = "judicial_reviewer1"


@seed_step
def seed_disclosure(stdout, password: str) -> None:
    today = timezone.localdate()
    reviewer = User.objects.filter(username=REVIEWER).first()
    if reviewer is None:
        stdout.write(_("年度报告：缺少司法局评查员，跳过。"))
        return
    published, draft = today.year - 2, today.year - 1
    done = []
    if not DisclosureReport.objects.filter(year=published).exists():
        report = services.report_build(published, today=today)
        report = services.report_review(report, by=reviewer, note=_("数据与系统记录一致，同意公开。"))
        report = services.report_publish(report, by=reviewer)
        january = dt.datetime(published + 1, 1, 1, tzinfo=SHANGHAI)
        # Demo history: built on 2 January, reviewed on the 22nd, published on the 27th.
        DisclosureReport.objects.filter(pk=report.pk).update(
            built_at=january + dt.timedelta(days=1, hours=3),
            reviewed_at=january + dt.timedelta(days=21, hours=10),
            published_at=january + dt.timedelta(days=26, hours=15),
        )
        done.append(str(report))
    if not DisclosureReport.objects.filter(year=draft).exists():
        done.append(str(services.report_build(draft, today=today)))
    stdout.write(_("年度报告：%(list)s") % {"list": "、".join(done) or _("已存在")})
