"""The append-only event log: the full-process record (全过程记录).

Every state change of every workflow object (ticket, case, batch, review)
writes one Event in the same transaction. Rows are never updated or deleted:
the model refuses it here, and on PostgreSQL a trigger refuses it in the
database too (migration 0002), so raw SQL cannot rewrite history either.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an event row."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Event rows are append-only and cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Event rows are append-only and cannot be deleted.")

    def _raw_delete(self, using):
        raise AppendOnlyError("Event rows are append-only and cannot be deleted.")

    def for_object(self, obj: models.Model) -> EventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).select_related("actor")

    def public(self) -> EventQuerySet:
        return self.filter(is_public=True)


class Event(models.Model):
    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT)
    object_id = models.BigIntegerField(_("对象编号"))
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("操作"), max_length=60)
    from_state = models.CharField(_("原状态"), max_length=40, blank=True)
    to_state = models.CharField(_("新状态"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_agency = models.ForeignKey(
        "enforcement.Agency",
        verbose_name=_("操作机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("附加数据"), default=dict, blank=True)
    # Public events show on public lookup pages (e.g. a ticket's public history).
    is_public = models.BooleanField(_("对外公开"), default=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("过程记录")
        verbose_name_plural = _("过程记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="event_subject_idx")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Event rows are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Event rows are append-only and cannot be deleted.")
