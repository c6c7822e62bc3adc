"""Ship the default rubric (100 points, nine groups, seven veto items)."""

from django.db import migrations

# Frozen copy of supervision.services.rubrics.DEFAULT_* at the time of this migration.
GROUPS = [
    ("主体合法", 10, [("A1", "执法主体资格或职权依据记载不清", 5, ""), ("A2", "执法人员少于两人或未出示执法证件", 5, "")]),
    ("事实认定", 15, [("B1", "违法事实表述不清、要素不全", 8, ""), ("B2", "当事人基本情况记载不完整", 7, "")]),
    ("证据", 15, [("C1", "证据不充分或证明力不足", 8, ""),
                ("C2", "证据形式不合法、取证程序不规范", 7, "evidence_altered")]),
    ("法律适用", 10, [("D1", "引用法律条文不完整、不准确", 10, "")]),
    ("程序", 15, [("E1", "超过法定期限办理（立案、决定、送达等）", 6, "deadline_missed"),
                ("E2", "未依法告知陈述、申辩、听证权利", 5, ""),
                ("E3", "应集体讨论未集体讨论", 4, "deliberation_skipped")]),
    ("裁量", 10, [("F1", "未按裁量基准作出决定且未说明理由", 10, "")]),
    ("文书规范", 10, [("G1", "文书缺失或制作不规范", 6, "documents_missing"), ("G2", "文书文号、日期、签章错漏", 4, "")]),
    ("归档", 5, [("H1", "未按规定立卷归档、卷内顺序混乱", 5, "")]),
    ("三项制度", 10, [("J1", "未按规定公示或全过程记录缺失", 5, ""), ("J2", "重大执法决定法制审核意见不完整", 5, "")]),
]
VETOES = [
    ("V1", "无执法主体资格或超越职权（非该事项的实施主体）", ""),
    ("V2", "执法人员无有效执法证件", "certificate_expired"),
    ("V3", "认定当事人错误", ""),
    ("V4", "主要证据缺失或伪造", ""),
    ("V5", "超过追责时效作出处罚", ""),
    ("V6", "适用法律依据错误", ""),
    ("V7", "依法应当法制审核而未审核", "review_skipped"),
]
NAME = "行政处罚案卷评查标准"


def forward(apps, schema_editor):
    Rubric = apps.get_model("supervision", "Rubric")
    Group = apps.get_model("supervision", "RubricGroup")
    Item = apps.get_model("supervision", "RubricItem")
    Veto = apps.get_model("supervision", "VetoItem")
    if Rubric.objects.filter(name=NAME).exists():
        return
    rubric = Rubric.objects.create(name=NAME, version=1, note="默认标准：满分100分，否决项一票否决。")
    for g_order, (name, points, items) in enumerate(GROUPS, start=1):
        group = Group.objects.create(rubric=rubric, order=g_order, name=name, points=points)
        for i_order, (code, text, most, check) in enumerate(items, start=1):
            Item.objects.create(group=group, order=i_order, code=code, text=text, max_deduction=most, auto_check=check)
    for order, (code, text, check) in enumerate(VETOES, start=1):
        Veto.objects.create(rubric=rubric, order=order, code=code, text=text, auto_check=check)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
