from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    label = "participants"
    verbose_name = _("Deelnemers en loting")
    default_auto_field = "django.db.models.BigAutoField"
