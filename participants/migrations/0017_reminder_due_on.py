"""InvitationReminder.due_on: the day a reminder was planned for, so that a
moved registration deadline gets reminders of its own."""

import datetime as dt

from django.db import migrations, models


def fill_due_on(apps, schema_editor):
    """Old reminders: the deadline of their assembly minus their days, or else
    the day they went out (a day earlier if that day is taken: one a day)."""
    reminders = apps.get_model("participants", "InvitationReminder")
    taken = set()
    rows = reminders.objects.select_related("invitation__assembly").order_by("pk")
    for reminder in rows.iterator():
        deadline = reminder.invitation.assembly.registration_deadline
        day = (
            deadline - dt.timedelta(days=reminder.days_before)
            if deadline
            else reminder.sent_at.date()
        )
        while (reminder.invitation_id, day) in taken:
            day -= dt.timedelta(days=1)
        taken.add((reminder.invitation_id, day))
        reminder.due_on = day
        reminder.save(update_fields=["due_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0016_population_import_undone"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitationreminder",
            name="due_on",
            field=models.DateField(null=True, verbose_name="gepland op"),
        ),
        migrations.RunPython(fill_due_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitationreminder",
            name="due_on",
            field=models.DateField(verbose_name="gepland op"),
        ),
        migrations.RemoveConstraint(
            model_name="invitationreminder",
            name="one_reminder_each",
        ),
        migrations.AddConstraint(
            model_name="invitationreminder",
            constraint=models.UniqueConstraint(
                fields=("invitation", "due_on"), name="one_reminder_a_day"
            ),
        ),
    ]
