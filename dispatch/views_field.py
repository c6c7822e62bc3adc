"""The grid member's phone pages: report a problem in one's own grid, and follow one's own reports.

Grid members (网格员) patrol a grid and report what they find. Most hold no
post in any agency, so ``Ticket.objects.visible_to`` shows them no ticket, not
even their own reports. They follow their reports the way a reporter does:
the status and the public timeline (:func:`dispatch.views_public.public_view`),
never the internal handling record. Field officers report from
``dispatch:field`` instead, and grid members who also hold a post can use
either page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dispatch import selectors, services
from dispatch.forms import GridReportForm
from dispatch.views_public import PUBLIC_STATUS, public_view
from enforcement.errors import DomainError
from enforcement.forms import apply_domain_error
from enforcement.models import Grid

MY_REPORTS_LIMIT = 20


def own_grids(user) -> QuerySet[Grid]:
    """The grids ``user`` patrols as their grid member."""
    return Grid.objects.filter(member=user).select_related("township").order_by("township__sort_order", "code")


@require_http_methods(["GET", "POST"])
@login_required
def grid_report(request: HttpRequest) -> HttpResponse:
    """网格上报: the report form for one's own grids, and the list of one's own reports."""
    user = request.user
    grids = own_grids(user)
    if not grids.exists():
        raise PermissionDenied
    form = GridReportForm(request.POST or None, request.FILES or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            ticket = services.ticket_file_patrol_report(by=user, **data)
        except DomainError as exc:
            # The service names uploads "files"; this form calls the field "attachments".
            exc.fields = {("attachments" if k == "files" else k): v for k, v in exc.fields.items()}
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已上报，工单编号 %(number)s。办理进度见“我的上报”。")
                             % {"number": ticket.number})
            return redirect("dispatch:grid-report")
    reports = [
        {"ticket": t, "status_label": PUBLIC_STATUS.get(t.status, t.get_status_display())}
        for t in selectors.my_reports(user)[:MY_REPORTS_LIMIT]
    ]
    return render(request, "dispatch/grid_report.html", {"form": form, "reports": reports},
                  status=400 if form.errors else 200)


@require_GET
@login_required
def my_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of one of one's own reports, as its reporter reads it (404 for anyone else's)."""
    ticket = (selectors.my_reports(request.user).select_related("responsible_agency", "merged_into")
              .filter(pk=pk).first())
    if ticket is None:
        raise Http404
    return render(request, "dispatch/my_report.html", {"ticket": ticket, "view": public_view(ticket)})
