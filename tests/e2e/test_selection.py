"""The organiser's path through the lottery in Debian's chromium: from the pool
check to a published draw, with axe-core (WCAG 2.1 A/AA) on every page."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Page, expect

from assembly.models import Assembly
from participants.models import SelectionDraw, SelectionRun
from participants.services import selection as services
from tests.conftest import Cast
from tests.e2e.conftest import assert_accessible, log_in
from tests.participants.test_selection import make_pool, make_quotas

pytestmark = pytest.mark.browser


class _Held:
    """Stands in for the Celery task: the run stays queued until the test runs it,
    so the page shows the progress bar first."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def apply_async(self, args: tuple[int], **_options: Any) -> None:
        self.queued.append(args[0])


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> _Held:
    from participants import tasks_selection

    stand_in = _Held()
    monkeypatch.setattr(tasks_selection, "selection_run_task", stand_in)
    return stand_in


def _pool_check_url(slug: str) -> str | None:
    try:
        return reverse("participants:pool_check", kwargs={"slug": slug})
    except NoReverseMatch:
        return None


def test_it_takes_the_organiser_from_the_pool_check_to_a_published_draw(
    page: Page, axe: Axe, cast: Cast, held: _Held, live_server: Any
) -> None:
    Assembly.objects.filter(pk=cast.assembly.pk).update(members_target=10, alternates_target=3)
    make_pool(cast.assembly, 60)
    make_quotas(cast.assembly, 10)
    slug = cast.assembly.slug
    log_in(page, "organiser", cast.users["organiser"].email)

    pool_check = _pool_check_url(slug)
    if pool_check is not None:
        response = page.goto(pool_check)
        assert response is not None and response.status == 200
        assert_accessible(axe, page)

    page.goto(reverse("participants:selection_list", kwargs={"slug": slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Loting van de deelnemers")
    assert_accessible(axe, page)
    page.get_by_label("Startgetal (seed)").fill("2027")
    page.get_by_label("Vergelijk met de oude methode").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Loting starten").click()

    run = SelectionRun.objects.get(assembly=cast.assembly)
    assert held.queued == [run.pk]
    expect(page.locator("progress")).to_be_visible()
    expect(page.get_by_role("status").last).to_contain_text("wachtrij")
    assert_accessible(axe, page)

    # The worker picks the run up right after a poll, and is done before the
    # next one (every 2 s): the page then reloads itself with the results.
    status_path = reverse("participants:selection_status", kwargs={"slug": slug, "pk": run.pk})
    with page.expect_response(lambda r: r.url.endswith(status_path)):
        pass
    assert services.selection_run_execute(run_id=run.pk).state == "done"
    expect(page.get_by_role("heading", name="Uitkomst")).to_be_visible(timeout=20_000)
    expect(page.locator("svg.chart-svg")).to_be_visible()
    expect(page.get_by_role("heading", name="Vergelijking met de oude methode")).to_be_visible()
    assert_accessible(axe, page)

    with page.expect_navigation():
        page.get_by_role("button", name="Loting vastleggen en openbaar maken").click()
    expect(page.get_by_text("De loting is vastgelegd en openbaar.")).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_label("Openbaar getal").fill("1417")
    page.get_by_label("Hoe is het getal getrokken?").fill("Drie dobbelstenen, in het openbaar")
    with page.expect_navigation():
        page.get_by_role("button", name="Trekking doen").click()
    draw = SelectionDraw.objects.get(run=run)
    assert draw.ticket == 417
    expect(page.get_by_text("wijst lot 417 aan")).to_be_visible()
    assert_accessible(axe, page)

    with page.expect_navigation():
        page.get_by_role("link", name="Openbare pagina over de loting").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoe de loting werkt")
    expect(page.get_by_text("Het openbare getal was 1417. Dat wijst lot 417 aan.")).to_be_visible()
    # Anyone's check from the record, and the organiser's with the respondents.
    expect(page.get_by_text("python manage.py verify_selection")).to_have_count(2)
    expect(page.get_by_role("link", name="Aanmelders (CSV, niet openbaar)")).to_be_visible()
    assert_accessible(axe, page)
