"""Admin-editable overrides of the official working-day calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息日/节假日")
    WORKDAY = "workday", _("工作日（含调休上班）")


class HolidayOverride(models.Model):
    """One day whose kind differs from the package calendar, or a year it does not cover.

    Overrides take precedence over the ``chinesecalendar`` package. For a year
    the package does not cover, administrators enter that year's holidays and
    adjusted working weekends here once the State Council publishes them.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year whose full schedule an administrator has entered as overrides.

    Marking a year complete makes deadlines in it final rather than
    provisional even though the package does not cover it.
    """

    year = models.PositiveIntegerField(_("年份"), unique=True)
    complete = models.BooleanField(_("已录入全年安排"), default=False)
    source = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)
