from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    label = "recommendations"
    verbose_name = _("Aanbevelingen en stemmingen")
    default_auto_field = "django.db.models.BigAutoField"
