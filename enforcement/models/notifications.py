"""In-app notifications, sent at most once per (recipient, subject, reason)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def visible_to(self, user) -> NotificationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)


class Notification(models.Model):
    # No index of their own (db_index=False): a sweep's catch-up inserts tens of thousands of rows, and
    # each index more is written for every one. The recipient's lookups lead both the once-only
    # constraint and the inbox index; a content type is deleted only with its model (a rare table scan).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications",
        db_index=False,
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.CASCADE, db_index=False
    )
    object_id = models.BigIntegerField(_("对象编号"), null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    # A stable key of why this was sent, e.g. "ticket.warning.red": the
    # once-only guarantee is on (recipient, subject, reason).
    reason = models.CharField(_("原因"), max_length=80)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "content_type", "object_id", "reason"],
                name="notification_once_per_reason",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]

    def __str__(self) -> str:
        return self.title
