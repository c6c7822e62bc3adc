"""Name the source of the default time limits more precisely (rows an administrator has not edited)."""

from django.db import migrations

OLD = "参照12345政务服务便民热线工单办理时限通行做法，可在后台调整"
NEW = (
    "国办发〔2020〕53号要求热线受理与后台办理紧密衔接、限时办结；本行取县级指挥平台通行时限。"
    "省、市另有规定的（如广东省12345热线管理办法：投诉举报类15个工作日），请在此调整"
)


def forwards(apps, schema_editor):
    apps.get_model("dispatch", "SlaRule").objects.filter(source_note=OLD).update(source_note=NEW)


def backwards(apps, schema_editor):
    apps.get_model("dispatch", "SlaRule").objects.filter(source_note=NEW).update(source_note=OLD)


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0006_client_system")]

    operations = [migrations.RunPython(forwards, backwards)]
