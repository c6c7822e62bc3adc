from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from enforcement.access import scope_for
from enforcement.errors import ValidationFailed
from enforcement.workflow import FSMField, WorkflowModel


class Status(models.TextChoices):
    NEW = "new", _("新建")
    OPEN = "open", _("处理中")
    DONE = "done", _("已办结")


def _member_of_agency(obj, user) -> bool:
    return scope_for(user).covers_agency(obj.agency_id)


class Sample(WorkflowModel):
    title = models.CharField(max_length=50)
    agency = models.ForeignKey("enforcement.Agency", on_delete=models.PROTECT)
    status = FSMField(choices=Status.choices, default=Status.NEW, protected=True)
    result = models.TextField(blank=True)
    opened_by = models.ForeignKey("auth.User", null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.title

    @transition(field=status, source=Status.NEW, target=Status.OPEN, permission=_member_of_agency,
                custom={"label": _("受理")})
    def open(self, *, by):
        self.opened_by = by

    @transition(field=status, source=Status.OPEN, target=Status.DONE, permission=_member_of_agency,
                custom={"label": _("办结")})
    def finish(self, *, by, result: str):
        if not result.strip():
            raise ValidationFailed(_("办结时必须填写处理结果。"), field="result")
        self.result = result
