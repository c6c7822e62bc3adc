"""Agencies, the people in them, their roles and enforcement certificates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    BUREAU = "bureau", _("综合行政执法局")
    COMMAND_CENTRE = "command_centre", _("指挥中心")
    DEPARTMENT = "department", _("业务主管部门")
    TOWN = "town", _("镇")
    SUBDISTRICT = "subdistrict", _("街道")
    BRIGADE = "brigade", _("执法大队")
    SQUADRON_STATIONED = "squadron_stationed", _("派驻中队")
    SQUADRON_DIRECT = "squadron_direct", _("直属中队")
    JUDICIAL_BUREAU = "judicial_bureau", _("司法局")
    LEGAL_REVIEW_CENTRE = "legal_review_centre", _("法制审核中心")
    ESTABLISHMENT_OFFICE = "establishment_office", _("机构编制委员会办公室")
    COUNTY_GOVERNMENT = "county_government", _("县人民政府")


TOWNSHIP_KINDS = (AgencyKind.TOWN, AgencyKind.SUBDISTRICT)
SQUADRON_KINDS = (AgencyKind.SQUADRON_STATIONED, AgencyKind.SQUADRON_DIRECT)
# Members of these agencies see the whole county (ARCHITECTURE.md "Permissions":
# "the bureau sees all"); the judicial bureau supervises everything it reviews.
COUNTY_WIDE_KINDS = (
    AgencyKind.BUREAU,
    AgencyKind.COMMAND_CENTRE,
    AgencyKind.JUDICIAL_BUREAU,
    AgencyKind.LEGAL_REVIEW_CENTRE,
    AgencyKind.COUNTY_GOVERNMENT,
)


class AgencyQuerySet(models.QuerySet):
    def townships(self) -> AgencyQuerySet:
        return self.filter(kind__in=TOWNSHIP_KINDS)

    def departments(self) -> AgencyQuerySet:
        return self.filter(kind=AgencyKind.DEPARTMENT)

    def squadrons(self) -> AgencyQuerySet:
        return self.filter(kind__in=SQUADRON_KINDS)

    def active(self) -> AgencyQuerySet:
        return self.filter(is_active=True)

    def visible_to(self, user) -> AgencyQuerySet:
        # Agencies are reference data: every signed-in user may see the tree.
        if not user.is_authenticated:
            return self.none()
        return self


class Agency(models.Model):
    code = models.CharField(_("机构代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=AgencyKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # A stationed squadron (派驻中队) sits in one township.
    stationed_in = models.ForeignKey(
        "self",
        verbose_name=_("派驻乡镇"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stationed_squadrons",
        limit_choices_to={"kind__in": TOWNSHIP_KINDS},
    )
    is_active = models.BooleanField(_("有效"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stationed_in__isnull=True) | Q(kind=AgencyKind.SQUADRON_STATIONED),
                name="agency_only_stationed_squadron_has_township",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_township(self) -> bool:
        return self.kind in TOWNSHIP_KINDS

    @property
    def is_squadron(self) -> bool:
        return self.kind in SQUADRON_KINDS

    @property
    def is_county_wide(self) -> bool:
        return self.kind in COUNTY_WIDE_KINDS


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", _("指挥调度员")
    SQUADRON_OFFICER = "squadron_officer", _("中队执法队员")
    SQUADRON_LEADER = "squadron_leader", _("中队负责人")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇执法人员")
    TOWNSHIP_LEADER = "township_leader", _("乡镇负责人")
    LEGAL_REVIEWER = "legal_reviewer", _("法制审核员")
    JUDICIAL_REVIEWER = "judicial_reviewer", _("司法局评查员")
    DEPARTMENT_STAFF = "department_staff", _("业务部门人员")
    ADMINISTRATOR = "administrator", _("系统管理员")


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, agency__is_active=True)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, db_index=True)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.agency} · {self.get_role_display()}"


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> CertificateQuerySet:
        return self.filter(valid_from__lte=day, valid_to__gte=day, revoked_at__isnull=True)


class Certificate(models.Model):
    """An enforcement certificate (执法证). Only certified officers handle cases."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执法人员"), on_delete=models.CASCADE, related_name="certificates"
    )
    number = models.CharField(_("证件编号"), max_length=40, unique=True)
    issuing_body = models.CharField(_("发证机关"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    revoked_at = models.DateField(_("注销日期"), null=True, blank=True)
    revoked_reason = models.CharField(_("注销原因"), max_length=200, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法证")
        verbose_name_plural = _("执法证")
        ordering = ["-valid_to"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="certificate_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_to and (self.revoked_at is None or self.revoked_at > day)


class LegalQualification(models.Model):
    """An officer's pass of the national uniform legal professional qualification exam (法律职业资格).

    Administrative Penalty Law art. 58(2): officers doing the legal review of
    a decision for the first time must have obtained it.
    """

    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="legal_qualification"
    )
    certificate_number = models.CharField(_("法律职业资格证书编号"), max_length=40, unique=True)
    passed_on = models.DateField(_("取得日期"))

    class Meta:
        verbose_name = _("法律职业资格")
        verbose_name_plural = _("法律职业资格")
        ordering = ["officer_id"]

    def __str__(self) -> str:
        return self.certificate_number
