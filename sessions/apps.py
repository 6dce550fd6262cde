from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    # The label "sessions" belongs to django.contrib.sessions.
    name = "sessions"
    label = "assembly_sessions"
    verbose_name = _("Programma")
    default_auto_field = "django.db.models.BigAutoField"
