"""Requests filed before the register asked for the use: their deployment becomes the access."""

from django.db import migrations

#: How a request filed before the context was asked reached the model (its former "deployment").
ACCESS_OF_DEPLOYMENT = {"self-hosted": "self_hosted", "vendor-api": "developer_api", "cloud": "cloud_marketplace"}


def requests_before_the_context(apps, schema_editor):
    """Requests filed before the register asked for the use keep their deployment as the access and are marked
    "context not recorded": the register does not pretend to know where or by whom they are used."""
    for name in ("AdoptionRequest", "HistoricalAdoptionRequest"):
        model = apps.get_model("register", name)
        for deployment, access in ACCESS_OF_DEPLOYMENT.items():
            model.objects.filter(deployment=deployment).update(access=access, context_recorded=False)
        model.objects.exclude(deployment__in=list(ACCESS_OF_DEPLOYMENT)).update(context_recorded=False)


class Migration(migrations.Migration):
    dependencies = [("register", "0004_adoption_context")]

    operations = [migrations.RunPython(requests_before_the_context, migrations.RunPython.noop)]
