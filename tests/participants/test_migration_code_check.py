"""Migration participants 0019: draws made before codes had a check character
are marked, so their codes keep counting as guesses (participants/codes.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import AssemblyFactory

BEFORE = [("participants", "0018_invitation_draw_bounds")]
AFTER = [("participants", "0019_invitation_codes_check_character")]


@pytest.mark.django_db(transaction=True)
def test_existing_draws_are_marked_without_check_character() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old_apps = executor.loader.project_state(BEFORE).apps
        assembly = AssemblyFactory()  # the assembly app's tables stay as they are
        old_draw = old_apps.get_model("participants", "InvitationDraw").objects.create(
            assembly_id=assembly.pk, seed="1", requested=1
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new_apps = executor.loader.project_state(AFTER).apps
        draws = new_apps.get_model("participants", "InvitationDraw").objects
        assert draws.get(pk=old_draw.pk).codes_have_check_character is False
    finally:
        MigrationExecutor(connection).migrate(latest)
