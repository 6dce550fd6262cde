"""django-import-export: the members' needs as a file for the venue and the
caterer (CSV for any program, XLSX for Excel), one row per member who needs
something."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.formats import base_formats

from assembly.spreadsheets import DutchCSV, spreadsheet_text
from participants.selectors_attendance import member_code
from participants.selectors_needs import NeedsRow

FORMATS: dict[str, tuple[type[base_formats.Format], str]] = {
    "csv": (DutchCSV, "text/csv; charset=utf-8"),
    "xlsx": (
        base_formats.XLSX,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


class _YesWidget(resources.widgets.Widget):  # type: ignore[misc]
    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return _("ja") if value else ""


class NeedsResource(resources.Resource):  # type: ignore[misc]
    """The columns in Dutch: the venue's and the caterer's staff read them."""

    code = fields.Field(column_name="code")
    name = fields.Field(attribute="name", column_name="naam")
    mobility = fields.Field(attribute="mobility", column_name="hulp_bij_lopen", widget=_YesWidget())
    childcare = fields.Field(
        attribute="childcare", column_name="opvang_kinderen", widget=_YesWidget()
    )
    language_help = fields.Field(
        attribute="language_help", column_name="hulp_met_taal", widget=_YesWidget()
    )
    diet = fields.Field(attribute="diet", column_name="eten")
    other = fields.Field(attribute="other", column_name="iets_anders")

    class Meta:
        fields = ("code", "name", "mobility", "childcare", "language_help", "diet", "other")

    def dehydrate_code(self, row: NeedsRow) -> str:
        # The code beside the member's QR code: the same on the desk's list.
        return member_code(row.member_id)

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> object:
        # Names and notes are what members typed: "=..." would run in Excel.
        return spreadsheet_text(super().export_field(field, instance, **kwargs))


def needs_file(rows: Iterable[NeedsRow], fmt: str) -> tuple[bytes, str]:
    """The rows as CSV (as Dutch Excel opens it: see DutchCSV) or XLSX, and the
    content type."""
    file_format_class, content_type = FORMATS[fmt]
    file_format = file_format_class()
    dataset = NeedsResource().export(queryset=list(rows))
    content = file_format.export_data(dataset)
    if isinstance(content, str):
        return content.encode("utf-8"), content_type
    return bytes(content), content_type
