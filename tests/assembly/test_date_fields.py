"""Date fields show their date on a Dutch page, and a form saved unchanged
keeps it.

A browser's date input takes only ISO dates (2026-12-15). Django writes a date
in the page's language, 15-12-2026 in Dutch, which the input cannot show: the
field looked empty, and saving the form unchanged wiped the registration
deadline (so reminders stopped) or the day the report went to the Kamer (the
start of the retention period)."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from typing import Any

import lxml.html
import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assembly.models import Assembly
from tests.conftest import Cast

PROJECT_PACKAGES = ("assembly", "participants", "sessions", "recommendations")


def form_as_shown(html: str, field: str) -> dict[str, Any]:
    """What a browser sends for the form that holds ``field``, nothing changed."""
    page = lxml.html.fromstring(html)
    [form] = [f for f in page.forms if f.xpath(f".//*[@name='{field}']")]
    return {name: value for name, value in form.form_values()}


def _organiser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    return client


@pytest.mark.django_db
def test_the_reminder_schedule_saved_unchanged_keeps_the_deadline(cast: Cast) -> None:
    Assembly.objects.filter(pk=cast.assembly.pk).update(
        registration_deadline=dt.date(2027, 1, 20)
    )
    client = _organiser(cast)
    url = reverse("participants:reminder_schedule", kwargs={"slug": cast.assembly.slug})
    sent = form_as_shown(client.get(url).content.decode(), "registration_deadline")
    assert sent["registration_deadline"] == "2027-01-20"

    assert client.post(url, sent).status_code == 302
    cast.assembly.refresh_from_db()
    assert cast.assembly.registration_deadline == dt.date(2027, 1, 20)


@pytest.mark.django_db
def test_the_settings_saved_unchanged_keep_every_date(cast: Cast) -> None:
    dates = {
        "period_end": dt.date(2027, 6, 30),
        "report_delivered_on": dt.date(2027, 7, 15),
    }
    Assembly.objects.filter(pk=cast.assembly.pk).update(**dates)
    cast.assembly.refresh_from_db()
    first_weekend = cast.assembly.first_weekend
    client = _organiser(cast)
    url = reverse("assembly:settings", kwargs={"slug": cast.assembly.slug})
    sent = form_as_shown(client.get(url).content.decode(), "period_end")
    assert sent["first_weekend"] == first_weekend.isoformat()

    response = client.post(url, sent)
    assert response.status_code == 302, response.content.decode()[:3000]
    cast.assembly.refresh_from_db()
    assert cast.assembly.first_weekend == first_weekend
    assert cast.assembly.period_end == dates["period_end"]
    assert cast.assembly.report_delivered_on == dates["report_delivered_on"]


def _project_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if ".migrations" in module_info.name or ".management" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def test_every_date_picker_in_the_project_writes_iso_dates_on_a_dutch_page() -> None:
    day = dt.date(2026, 12, 15)
    pickers = []
    with translation.override("nl"):
        for form_class in _project_forms():
            for name, field in form_class.base_fields.items():
                if getattr(field.widget, "input_type", "") == "date":
                    pickers.append(f"{form_class.__name__}.{name}")
                    shown = field.widget.format_value(day)
                    assert shown == "2026-12-15", (form_class, name, shown)
    # The forms named in the bug, so a sweep that finds nothing fails.
    assert {
        "ReminderScheduleForm.registration_deadline",
        "AssemblySettingsForm.period_end",
        "AssemblySettingsForm.report_delivered_on",
        "ExportForm.execution_date",
    } <= set(pickers)
