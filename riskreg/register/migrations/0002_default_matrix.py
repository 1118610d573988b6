"""The default 5 x 5 risk matrix with named bands (frozen here; later changes are new versions)."""

from django.db import migrations

DEFAULT = {
    "name": "Default 5 x 5",
    "version": 1,
    "likelihood_labels": ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
    "impact_labels": ["Negligible", "Minor", "Moderate", "Major", "Severe"],
    "bands": [
        {"name": "Low", "min": 1, "max": 4, "colour": "#2e7d32"},
        {"name": "Medium", "min": 5, "max": 9, "colour": "#f9a825"},
        {"name": "High", "min": 10, "max": 16, "colour": "#ef6c00"},
        {"name": "Critical", "min": 17, "max": 25, "colour": "#c62828"},
    ],
    "description": (
        "Likelihood x impact, each from 1 to 5; the score is their product. Low 1-4, Medium 5-9, "
        "High 10-16, Critical 17-25."
    ),
}


def create_default(apps, schema_editor):
    RiskMatrix = apps.get_model("register", "RiskMatrix")
    if RiskMatrix.objects.filter(is_default=True).exists():
        return
    RiskMatrix.objects.get_or_create(
        name=DEFAULT["name"],
        version=DEFAULT["version"],
        defaults={
            "likelihood_labels": DEFAULT["likelihood_labels"],
            "impact_labels": DEFAULT["impact_labels"],
            "bands": DEFAULT["bands"],
            "description": DEFAULT["description"],
            "is_default": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("register", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
