"""The allowance rules of 2025, as published by the Belastingdienst
(vrijwilligersvergoeding: €5.60 an hour from 21, €3.30 under 21, €210 a month,
€2,100 a year; the tax-free car allowance €0.23 a kilometre). Later years are
entered by organisers in the admin or on the rules page."""

from decimal import Decimal

from django.db import migrations


def seed_2025(apps, schema_editor):
    AllowanceYear = apps.get_model("assembly", "AllowanceYear")
    AllowanceYear.objects.get_or_create(
        year=2025,
        defaults={
            # 7 hours × €5.60 = €39.20 fits the hourly cap for a full day.
            "day_allowance": Decimal("35.00"),
            "hourly_cap": Decimal("5.60"),
            "hourly_cap_under_21": Decimal("3.30"),
            "monthly_cap": Decimal("210.00"),
            "yearly_cap": Decimal("2100.00"),
            "km_rate": Decimal("0.23"),
            "source": "Belastingdienst, vrijwilligersvergoeding 2025",
        },
    )


def unseed_2025(apps, schema_editor):
    apps.get_model("assembly", "AllowanceYear").objects.filter(year=2025).delete()


class Migration(migrations.Migration):
    dependencies = [("assembly", "0004_allowance_rules")]
    operations = [migrations.RunPython(seed_2025, unseed_2025)]
