"""The county map: township boundaries as GeoJSON, uploaded by an administrator (admin), drawn by ECharts.

The command centre's screen and the ticket pages colour each township of the
active map; a feature is tied to its township by the agency code in its
properties (validated on upload: enforcement.maps.validate_county_map).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CountyMapQuerySet(models.QuerySet):
    def active(self) -> CountyMapQuerySet:
        return self.filter(is_active=True)


class CountyMap(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    geojson = models.JSONField(_("乡镇边界（GeoJSON）"))
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("启用后指挥大屏和工单地图使用此地图；只能启用一幅。")
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CountyMapQuerySet.as_manager()

    class Meta:
        verbose_name = _("县域地图")
        verbose_name_plural = _("县域地图")
        # Saving an active map in admin retires the others (enforcement.admin); should two be
        # active anyway, the latest upload wins (enforcement.maps.active_map).
        ordering = ["-is_active", "-uploaded_at"]

    def __str__(self) -> str:
        return self.name
