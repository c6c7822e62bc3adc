"""Grids (网格): the finest area unit inside a township, and who may see them.

Apart from the agencies because their ``visible_to`` asks
:func:`enforcement.access.scope_for`, which itself reads the agencies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.access import scope_for
from enforcement.models.agencies import TOWNSHIP_KINDS, Agency


class GridQuerySet(models.QuerySet):
    def visible_to(self, user) -> GridQuerySet:
        """The grids of the user's townships, and the grid a user patrols as its member.

        A grid member often holds no post in any agency (a village's part-time
        网格员): the grid they report from is still theirs to see.
        """
        scope = scope_for(user)
        if scope.county_wide:
            return self
        if scope.user_id is None:
            return self.none()
        return self.filter(models.Q(township_id__in=scope.township_ids) | models.Q(member_id=scope.user_id))


class Grid(models.Model):
    """The finest area unit (网格) inside a township, patrolled by a grid member."""

    township = models.ForeignKey(
        Agency,
        verbose_name=_("乡镇/街道"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    code = models.CharField(_("网格编码"), max_length=40, unique=True)
    name = models.CharField(_("网格名称"), max_length=100)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网格员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grids",
    )

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
