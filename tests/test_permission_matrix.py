"""Every URL of the project, for every role: the expected answer.

The test walks the URL configuration itself, so a page added later without a
row here fails `test_it_classifies_every_url`.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from assembly.models import Role, RoleKind
from tests import permission_rows
from tests.conftest import PERSONAS, Cast
from tests.factories import RoleFactory, UserFactory
from tests.permission import ALL, SLUG, WITH_A_ROLE, Row, staff_only


def _throwaway_role(cast: Cast) -> dict[str, Any]:
    role = RoleFactory(assembly=cast.assembly, user=UserFactory(), kind=RoleKind.EXPERT)
    return {"slug": cast.assembly.slug, "role_id": role.pk}


def _first_mail(cast: Cast) -> dict[str, Any]:
    from assembly.models import MailboxMessage

    mail = MailboxMessage.objects.create(to="x@example.org", subject="Code", body="123456")
    return {"pk": mail.pk}



MATRIX: dict[str, Row] = {
    # Someone with exactly one assembly goes straight to its home page.
    "home": Row({**ALL, **dict.fromkeys(WITH_A_ROLE | {"other_member"}, 302)}),
    "health": Row(ALL),
    "about": Row(ALL, kwargs=SLUG),
    # The desk's home page too: it leads to today's check-in list.
    "dashboard": Row({**staff_only(WITH_A_ROLE)}, kwargs=SLUG),
    "assembly:create": Row(staff_only({"organiser"})),
    "assembly:settings": Row(staff_only({"organiser"}), kwargs=SLUG),
    "assembly:roles": Row(staff_only({"organiser"}), kwargs=SLUG),
    "assembly:role_revoke": Row(
        staff_only({"organiser"}, status=302), kwargs=_throwaway_role, method="post"
    ),
    "assembly:audit_log": Row(staff_only({"organiser"}), kwargs=SLUG),
    "assembly:mailbox": Row(staff_only({"organiser"})),
    "assembly:mailbox_message": Row(staff_only({"organiser"}), kwargs=_first_mail),
    "set_language": Row(
        dict.fromkeys(PERSONAS, 302), method="post", data=lambda c: {"language": "en"}
    ),
    # allauth's account pages: open to everyone (login, code, reset) or to the
    # logged-in person for their own account; allauth guards them itself.
    # Someone already logged in is sent on from the login pages.
    "account_*": Row(
        {**dict.fromkeys(PERSONAS, 302), "anonymous": 200},
        group=True,
        examples=["account_login", "account_request_login_code"],
    ),
    "account_reset_password": Row(ALL),
    "mfa_*": Row({**ALL, "anonymous": 302}, group=True, examples=["mfa_index"]),
    # Django admin: only for is_staff users (technical administrators); it
    # sends everyone else to its own login page.
    "admin:*": Row(dict.fromkeys(PERSONAS, 302), group=True, examples=["admin:index"]),
}


# Each capability adds its own rows in tests/permission_rows/<capability>.py.
for _module in permission_rows.modules():
    for _name, _row in _module.ROWS.items():
        assert _name not in MATRIX, f"{_name} classified twice"
        MATRIX[_name] = _row


def _walk(resolvers: list[URLPattern | URLResolver], namespace: str = "") -> list[str]:
    names: list[str] = []
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names.extend(_walk(entry.url_patterns, inner))
        elif entry.name:
            names.append(f"{namespace}{entry.name}")
        else:
            names.append(f"{namespace}<unnamed {entry.pattern}>")
    return names


def _row_for(name: str) -> Row | None:
    if name in MATRIX:
        return MATRIX[name]
    for key, row in MATRIX.items():
        if row.group and key.endswith("*") and name.startswith(key[:-1]):
            return row
    return None


def test_it_classifies_every_url() -> None:
    unclassified = [name for name in _walk(get_resolver().url_patterns) if _row_for(name) is None]
    assert unclassified == [], f"add these URLs to the permission matrix: {unclassified}"


def _client_for(persona: str, cast: Cast) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.users[persona])
    return client


CASES = [
    (name, persona)
    for name, row in MATRIX.items()
    if not row.group
    for persona in PERSONAS
] + [
    (example, persona)
    for row in MATRIX.values()
    if row.group
    for example in row.examples
    for persona in PERSONAS
]


@pytest.mark.parametrize(("name", "persona"), CASES)
def test_it_answers_each_role_as_expected(name: str, persona: str, cast: Cast) -> None:
    from django.urls import reverse

    row = _row_for(name)
    assert row is not None
    kwargs = row.kwargs(cast)
    url = reverse(name, kwargs=kwargs)
    client = _client_for(persona, cast)
    response = getattr(client, row.method)(url, row.data(cast))
    assert response.status_code == row.expected[persona], (
        f"{persona} {row.method.upper()} {url}: {response.status_code}"
    )


@pytest.mark.parametrize("persona", ["member", "organiser", "chair", "desk"])
def test_it_denies_another_assemblys_pages(persona: str, cast: Cast) -> None:
    """No insecure direct object references: a role in one assembly opens nothing of another."""
    from django.urls import reverse

    client = _client_for(persona, cast)
    other = cast.other_assembly.slug
    for name in ("dashboard", "assembly:settings", "assembly:roles"):
        assert client.get(reverse(name, kwargs={"slug": other})).status_code == 403
    foreign_role = Role.objects.filter(assembly=cast.other_assembly).first()
    assert foreign_role is not None
    url = reverse(
        "assembly:role_revoke", kwargs={"slug": cast.assembly.slug, "role_id": foreign_role.pk}
    )
    expected = 404 if persona == "organiser" else 403
    assert client.post(url).status_code == expected
    assert Role.objects.filter(pk=foreign_role.pk).exists()


def test_it_hides_a_non_public_assembly_from_outsiders(cast: Cast) -> None:
    from django.urls import reverse

    cast.assembly.is_public = False
    cast.assembly.save(update_fields=["is_public"])
    url = reverse("about", kwargs={"slug": cast.assembly.slug})
    assert _client_for("anonymous", cast).get(url).status_code == 404
    assert _client_for("other_member", cast).get(url).status_code == 404
    assert _client_for("member", cast).get(url).status_code == 200
