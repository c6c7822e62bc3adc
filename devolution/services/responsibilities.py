"""Responsibility lists (监管责任清单): what the devolving department still supervises."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from devolution import permissions as perms
from devolution.models import ResponsibilityList
from devolution.services._common import _require
from enforcement.errors import ValidationFailed
from enforcement.models import Agency, AgencyKind, Matter
from enforcement.workflow import record_event

_RESPONSIBILITY_REFUSED = gettext_lazy("只有该部门人员或系统管理员可以编辑其监管责任清单。")


@transaction.atomic
def responsibility_save(*, by, matter: Matter, department: Agency, duties: str) -> ResponsibilityList:
    """Record what ``department`` still supervises for a devolved ``matter`` (监管责任清单)."""
    if department is None or department.kind != AgencyKind.DEPARTMENT:
        raise ValidationFailed(_("监管部门须为业务主管部门。"), field="department")
    _require(perms.can_edit_responsibilities(by, department.pk), _RESPONSIBILITY_REFUSED)
    if not (duties or "").strip():
        raise ValidationFailed(_("请填写监管责任。"), field="duties")
    row, created = ResponsibilityList.objects.update_or_create(
        matter=matter, department=department, defaults={"duties": duties.strip(), "updated_by": by},
    )
    record_event(row, "create" if created else "update", by=by, data={"matter": matter.code,
                                                                       "department": department.name})
    return row


@transaction.atomic
def responsibility_delete(row: ResponsibilityList, *, by) -> None:
    _require(perms.can_edit_responsibilities(by, row.department_id), _RESPONSIBILITY_REFUSED)
    record_event(row, "delete", by=by, data={"matter": row.matter_id, "department": row.department_id})
    row.delete()


