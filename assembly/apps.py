from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssemblyConfig(AppConfig):
    name = "assembly"
    label = "assembly"
    verbose_name = _("Burgerberaad")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core.signals import setting_changed
        from django.urls import register_converter

        from assembly.fragments import fragments_forget
        from assembly.numbers import WholeNumberConverter

        # Every app's URLs take numbers with <whole:...> (assembly/numbers.py);
        # apps are ready before any URLconf is read.
        register_converter(WholeNumberConverter, "whole")

        # The cached parts of pages depend on settings (static files, URLs, the
        # development mailbox); a test that changes one must not see old parts.
        setting_changed.connect(fragments_forget, dispatch_uid="assembly.fragments_forget")
