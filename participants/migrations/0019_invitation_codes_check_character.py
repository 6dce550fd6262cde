# Draws made before this migration gave out codes without a check character
# (participants/codes.py): they get False. The code that writes a draw's
# invitations sets True.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0018_invitation_draw_bounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitationdraw",
            name="codes_have_check_character",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="codes met controleteken"
            ),
        ),
    ]
