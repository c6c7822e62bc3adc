"""Default time limits and problem categories; administrators change both in the admin site.

The time limits follow common practice of the 12345 government service
hotline (按照12345政务服务便民热线工单办理时限的通行做法): sign within 2 working
hours, resolve within 5 working days; urgent tickets within 1 working day,
emergencies within 4 working hours. (0007 names the national guideline in
the rows' notes.)
"""

from decimal import Decimal

from django.db import migrations

SOURCE = "参照12345政务服务便民热线工单办理时限通行做法，可在后台调整"

# (priority, accept amount, accept unit, resolve amount, resolve unit); "" = any priority.
SLA_ROWS = [
    ("", "2", "working_hours", "5", "working_days"),
    ("urgent", "1", "working_hours", "1", "working_days"),
    ("emergency", "0.5", "working_hours", "4", "working_hours"),
]

CATEGORIES = [
    ("ZDJY", "占道经营", "流动摊贩、店外经营等占用道路经营"),
    ("WZDJ", "违法建设", "未经许可搭建建筑物、构筑物"),
    ("LDLF", "乱堆乱放", "道路及公共场所乱堆物料、垃圾"),
    ("HWGG", "违规户外广告", "未经许可设置户外广告、招牌"),
    ("YYWR", "餐饮油烟", "餐饮单位油烟直排、扰民"),
    ("ZSRM", "噪声扰民", "施工、商业经营等噪声扰民"),
    ("ZTPS", "渣土抛洒", "建筑垃圾、渣土运输抛洒滴漏"),
    ("WFPW", "违法排污", "向水体、土壤违法排放污染物"),
    ("WFYD", "违法占地", "非法占用耕地、林地等"),
    ("SRLJ", "焚烧垃圾秸秆", "露天焚烧垃圾、秸秆"),
    ("TCLX", "违规停车", "人行道、绿地违规停放车辆"),
    ("QTWT", "其他问题", "其他需要执法部门处理的问题"),
]


def forwards(apps, schema_editor):
    SlaRule = apps.get_model("dispatch", "SlaRule")
    TicketCategory = apps.get_model("dispatch", "TicketCategory")
    DispatchPolicy = apps.get_model("dispatch", "DispatchPolicy")
    if not SlaRule.objects.exists():
        SlaRule.objects.bulk_create(
            SlaRule(
                priority=priority, accept_amount=Decimal(a), accept_unit=au, resolve_amount=Decimal(r),
                resolve_unit=ru, source_note=SOURCE,
            )
            for priority, a, au, r, ru in SLA_ROWS
        )
    for order, (code, name, description) in enumerate(CATEGORIES, start=1):
        TicketCategory.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order * 10}
        )
    DispatchPolicy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
