"""The former deployment field, now the context's access (0005 copied it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("register", "0005_requests_before_the_context")]

    operations = [
        migrations.RemoveField(model_name="adoptionrequest", name="deployment"),
        migrations.RemoveField(model_name="historicaladoptionrequest", name="deployment"),
    ]
