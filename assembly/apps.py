from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssemblyConfig(AppConfig):
    name = "assembly"
    label = "assembly"
    verbose_name = _("Burgerberaad")
    default_auto_field = "django.db.models.BigAutoField"
