"""The outbox: every message sent outside the database (e-mail now; SMS, push later).

A row is written in the same transaction as the change that causes it, so a
message exists exactly when its change does. A drainer
(:func:`enforcement.outbox.drain`) claims unsent rows, sends them and marks
them sent; a broker or worker failure therefore delays a message but never
loses or doubles it (ARCHITECTURE.md "Background work").
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("电子邮件")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    # Gave up after OUTBOX_MAX_ATTEMPTS; an administrator may retry from admin.
    FAILED = "failed", _("发送失败")


class OutboxMessage(models.Model):
    channel = models.CharField(_("渠道"), max_length=20, choices=OutboxChannel.choices, default=OutboxChannel.EMAIL)
    recipient = models.CharField(_("收件地址"), max_length=254)
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    # The in-app notification this message mirrors, if any (its emailed_at is set on sending).
    notification = models.ForeignKey(
        "enforcement.Notification", verbose_name=_("通知"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="outbox_messages",
    )
    status = models.CharField(_("状态"), max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["-id"]
        indexes = [
            # The drainer's query: pending rows that are due, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"
