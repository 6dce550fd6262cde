"""Shared fixtures: named personas, one per role, in one assembly, plus a member
of another assembly (to catch access across assemblies)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import hypothesis
import pytest
from django.conf import settings

from assembly.models import STAFF_ROLES, Assembly, RoleKind, User
from tests.factories import AssemblyFactory, RoleFactory, UserFactory, WeekendFactory, give_totp

# The whole run's log is checked for personal data at the end (tests/log_privacy.py).
from tests.log_privacy import pytest_sessionfinish, pytest_sessionstart  # noqa: F401

# Property tests (hypothesis) draw the same examples on every run, so `make test`
# and CI cannot pass on one run and fail on the next by chance. To search for new
# failures, run with HYPOTHESIS_PROFILE=explore (random examples, more of them).
hypothesis.settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis.settings.register_profile("explore", derandomize=False, max_examples=500)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

PERSONAS = (
    "anonymous",
    "member",
    "other_member",
    "expert",
    "facilitator",
    "chair",
    "organiser",
    "griffie",
    "desk",
)


@dataclass
class Cast:
    assembly: Assembly
    other_assembly: Assembly
    users: dict[str, User]


@pytest.fixture
def cast(db: None) -> Cast:
    assembly = AssemblyFactory(slug="drugsbeleid", name="Nationaal Burgerberaad Drugsbeleid")
    other = AssemblyFactory(slug="klimaat", name="Burgerberaad Klimaat")
    for number in range(1, 8):
        WeekendFactory(assembly=assembly, number=number)
    users: dict[str, User] = {}
    for kind in RoleKind:
        user = UserFactory(email=f"{kind.value}@example.org")
        RoleFactory(user=user, assembly=assembly, kind=kind)
        if kind in STAFF_ROLES:
            user.set_password("een-lang-wachtwoord-2027")
            user.save(update_fields=["password"])
            give_totp(user)
        users[kind.value] = user
    outsider = UserFactory(email="other_member@example.org")
    RoleFactory(user=outsider, assembly=other, kind=RoleKind.MEMBER)
    users["other_member"] = outsider
    return Cast(assembly=assembly, other_assembly=other, users=users)


def _required(name: str) -> bool:
    return os.environ.get(name, "") == "1"


def skip_or_fail(reason: str, required_by: str) -> None:
    """Skip a tier that cannot run here, unless CI requires it: then fail."""
    if _required(required_by):
        pytest.fail(f"{reason} ({required_by}=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _rows_from_data_migrations(request: pytest.FixtureRequest) -> None:
    """A transactional test (live server, worker) empties every table when it
    ends, also the rows that data migrations wrote; put those back for it."""
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    migration = importlib.import_module("assembly.migrations.0005_allowance_year_2025")
    migration.seed_2025(apps, None)


@pytest.fixture(autouse=True)
def _site_language_at_the_start() -> object:
    """Each test starts in the site's language. A page request switches the
    thread's language and leaves it so: an English page in one test would
    otherwise make the next test's messages English."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield None
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # Password hashing is deliberately slow; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _tasks_in_process_unless_services(request: pytest.FixtureRequest) -> object:
    """Outside the service tier, Celery tasks run in-process even when CI sets a broker."""
    from config.celery_app import app

    if request.node.get_closest_marker("services"):
        yield None
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield None
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("media"))


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings: pytest.FixtureRequest, _media_root: str) -> None:
    # Letters and uploads written by tests stay out of the project's media/.
    settings.MEDIA_ROOT = _media_root  # type: ignore[attr-defined]
