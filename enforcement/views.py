"""Internal pages of the core: role home, notification inbox, profile, grids.

Views stay thin: reads come from :mod:`enforcement.selectors`, writes from
:mod:`enforcement.notifications`, access from :mod:`enforcement.access`.
Login is enforced for every path here by ``LoginRequiredMiddleware``; the
decorators below keep the views safe if they are ever mounted elsewhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from enforcement import notifications, selectors, todo
from enforcement.access import get_visible_or_404, scope_for
from enforcement.forms import GridFilterForm, InboxFilterForm
from enforcement.models.agencies import Agency, Role
from enforcement.models.grids import Grid
from enforcement.models.notifications import Notification
from enforcement.navigation import is_postless_grid_member

INBOX_PAGE_SIZE = 20
GRID_PAGE_SIZE = 50
HOME_GRID_LIMIT = 10


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _safe_next_url(request: HttpRequest, url: str) -> str:
    # A notification links inside this system; anything else goes back to the inbox.
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("notifications")


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    role = selectors.main_role(user)
    if role is None:
        if is_postless_grid_member(user):
            # Grid members hold no post: their home is their grids and the report entry of the menu.
            return render(request, "enforcement/home/grid_member.html", {
                "display_name": selectors.display_name(user),
                "grids": list(user.grids.select_related("township").order_by("township__sort_order", "code")),
                "recent_notifications": list(selectors.inbox(user, unread_only=True)[:5]),
                "todo_items": todo.todo_for(user),
            })
        return render(request, "enforcement/home/no_role.html", {"display_name": selectors.display_name(user)})
    memberships = list(selectors.memberships_of(user))
    main_membership = selectors.membership_for_role(memberships, role)
    certificates = selectors.certificates_of(user)
    context = {
        "role": role,
        "role_label": Role(role).label,
        "display_name": selectors.display_name(user),
        "memberships": memberships,
        "agency": main_membership.agency if main_membership else None,
        "certificates": certificates,
        "certificate_alerts": [c for c in certificates if c.needs_attention],
        "recent_notifications": list(selectors.inbox(user, unread_only=True)[:5]),
        "todo_items": todo.todo_for(user),
    }
    if role in selectors.GRID_ROLES:
        context["show_grids"] = True
        context["grids"] = list(selectors.own_territory_grids(user)[:HOME_GRID_LIMIT])
    return render(request, f"enforcement/home/{role}.html", context)


@require_safe
@login_required
def todo_list(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the user, nearest deadline first (enforcement.todo)."""
    return render(request, "enforcement/todo/list.html", {"todo_items": todo.todo_for(request.user)})


@require_safe
@login_required
def todo_badge(request: HttpRequest) -> HttpResponse:
    """The menu's to-do count, polled by htmx so that it stays current on a page left open."""
    return render(request, "enforcement/todo/_badge.html", {"todo_count": todo.todo_count(request.user)})


@require_safe
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "enforcement/profile.html",
        {
            "display_name": selectors.display_name(user),
            "memberships": list(selectors.memberships_of(user)),
            "certificates": selectors.certificates_of(user),
        },
    )


# --- notifications ----------------------------------------------------------


@require_safe
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"unread_only": False, "newest_first": False}
    page = Paginator(selectors.inbox(request.user, **filters), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/notifications/list.html",
        {"form": form, "page_obj": page, "notifications": page.object_list, **filters},
    )


@require_POST
@login_required
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's own notifications read; optionally open its link."""
    note = get_visible_or_404(Notification, request.user, pk=pk)
    notifications.mark_read(note, by=request.user)
    if request.POST.get("open") and note.url:
        return redirect(_safe_next_url(request, note.url))
    if request.headers.get("HX-Request"):
        note.refresh_from_db(fields=["read_at"])
        return render(
            request,
            "enforcement/notifications/_item.html",
            {"note": note, "next": request.POST.get("next", ""), "oob_badge": True},
        )
    return redirect(_safe_next(request, reverse("notifications")))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.mark_all_read(by=request.user)
    if count:
        messages.success(request, _("已将 %(count)d 条通知标为已读。") % {"count": count})
    else:
        messages.info(request, _("没有未读通知。"))
    return redirect(_safe_next(request, reverse("notifications")))


# --- grids --------------------------------------------------------------------


@require_safe
@login_required
def grid_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    townships = Agency.objects.townships()
    if not scope.county_wide:
        townships = townships.filter(pk__in=scope.township_ids)
    townships = list(townships.only("pk", "name"))
    form = GridFilterForm(request.GET or None, townships=townships)
    grids = selectors.grids_for(user)
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            grids = grids.filter(Q(code__icontains=q) | Q(name__icontains=q))
        if township := form.cleaned_data["township"]:
            grids = grids.filter(township_id=township)
    page = Paginator(grids, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/grids/list.html",
        {"form": form, "page_obj": page, "grids": page.object_list, "show_township_filter": len(townships) > 1},
    )


@require_safe
@login_required
def grid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grid = get_visible_or_404(Grid.objects.select_related("township", "member"), request.user, pk=pk)
    return render(request, "enforcement/grids/detail.html", {"grid": grid})
