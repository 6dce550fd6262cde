from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssemblyConfig(AppConfig):
    name = "assembly"
    label = "assembly"
    verbose_name = _("Burgerberaad")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from assembly.fragments import fragments_forget

        # The cached parts of pages depend on settings (static files, URLs, the
        # development mailbox); a test that changes one must not see old parts.
        setting_changed.connect(fragments_forget, dispatch_uid="assembly.fragments_forget")
