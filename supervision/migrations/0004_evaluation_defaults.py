"""Ship the default rating weights (townships 30% of a department's rating, 60% of a stationed squadron's)
and the officers' default points scheme."""

from decimal import Decimal as D

from django.db import migrations

# Frozen copy of supervision.evaluation.services.DEFAULT_* at the time of this migration.
SCHEMES = {
    "department": (D("30"), [("工作实绩", D("40")), ("依法行政", D("20")), ("队伍建设", D("10"))]),
    "squadron_stationed": (D("60"), [("工作实绩", D("25")), ("依法行政", D("15"))]),
    "squadron_direct": (D("30"), [("工作实绩", D("40")), ("依法行政", D("20")), ("队伍建设", D("10"))]),
}
TERMS = [
    ("cases_handled", D("1"), D("30")), ("cases_penalty", D("0.5"), D("10")), ("cases_no_penalty", D("0.5"), D("5")),
    ("cases_transferred", D("1"), D("5")), ("deadlines_met", D("0.5"), D("10")),
    ("deadlines_missed", D("-2"), D("10")), ("review_average", D("0.2"), None), ("review_failed", D("-5"), D("20")),
    ("tickets_handled", D("0.2"), D("20")), ("training_hours", D("0.5"), D("20")), ("exam_failed", D("-20"), None),
    ("certificate_lapsed", D("-20"), None), ("township_score", D("0.2"), None),
]


def forwards(apps, schema_editor):
    RatingScheme = apps.get_model("supervision", "RatingScheme")
    RatingItem = apps.get_model("supervision", "RatingItem")
    AssessmentTerm = apps.get_model("supervision", "AssessmentTerm")
    for kind, (township, items) in SCHEMES.items():
        scheme, created = RatingScheme.objects.get_or_create(unit_kind=kind, defaults={"township_weight": township})
        if created:
            for n, (name, weight) in enumerate(items):
                RatingItem.objects.create(scheme=scheme, order=n, name=name, weight=weight)
    for n, (key, points, cap) in enumerate(TERMS):
        AssessmentTerm.objects.get_or_create(key=key, defaults={"points": points, "cap": cap, "order": n})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0003_evaluation")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
