"""Benchmark: the full final report of the completed demo assembly, in all
three formats.

    .venv/bin/python bench/report.py [--db /tmp/bench_report.sqlite3] [--fresh] [--repeat 3]

The completed demo assembly (``afgerond``: seven weekends, 175 members, 40
final recommendations, 100 briefings, attendance, tables, minutes, progress
reports) is built with ``manage.py seed_demo`` on a scratch SQLite file, or
reused when the file has it already (``--fresh`` starts over). Then, as the
griffie, through the whole Django stack (test client: middleware, access
check, selector, rendering):

- HTML: GET /b/afgerond/rapport/
- PDF:  GET /b/afgerond/rapport/eindrapport.pdf
- ZIP:  GET /b/afgerond/rapport/open-data.zip

Printed: the best of ``--repeat`` runs in seconds for each, and the total as
a ratio against the 10-second target. Also the SQL queries of each page and
of the overview, for the completed (large) assembly and the practice
(small, no panel) one: the same number means the pages do not grow with the
assembly. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10.0
SLUG = "afgerond"
SMALL_SLUG = "oefenloting"


def _manage(db_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": db_url}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="/tmp/bench_report.sqlite3")
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo first")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    db_path = Path(args.db)
    db_url = f"sqlite:///{db_path}"
    if args.fresh and db_path.exists():
        db_path.unlink()
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from assembly.models import Assembly, Role, RoleKind

    _manage(db_url, "migrate", "-v0")
    if not Assembly.objects.filter(slug=SLUG).exists():
        started = time.perf_counter()
        _manage(db_url, "seed_demo")
        print(f"seed_demo: {time.perf_counter() - started:.1f} s")
    setup_test_environment()
    role = Role.objects.filter(assembly__slug=SLUG, kind=RoleKind.GRIFFIE).select_related("user")
    griffie = role.first()
    if griffie is None:
        print("no griffie in the completed demo assembly", file=sys.stderr)
        return 1
    client = Client()
    client.force_login(griffie.user)

    def url(name: str, slug: str = SLUG) -> str:
        return reverse(f"recommendations:{name}", kwargs={"slug": slug})

    formats = {
        "HTML": url("report_final"),
        "PDF": url("report_final_pdf"),
        "ZIP": url("report_final_zip"),
    }
    client.get(formats["HTML"])  # warm up: URL resolver, templates, fonts
    seconds: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for label, path in formats.items():
        best = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path)
            best = min(best, time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        seconds[label] = best
        sizes[label] = len(response.content)

    from recommendations.selectors_report import final_report

    report = final_report(assembly=Assembly.objects.get(slug=SLUG))
    print(
        f"Completed demo: {report.members_total} members, {len(report.weekends)} weekends, "
        f"{len(report.recommendations)} recommendations, {report.briefings} briefings"
    )
    for label in formats:
        print(f"  {label:<4} {seconds[label]:6.2f} s   {sizes[label] / 1024:8.0f} KiB")
    total = sum(seconds.values())
    print(
        f"  total {total:5.2f} s = {total / TARGET_SECONDS:.2f} × the {TARGET_SECONDS:.0f} s target"
    )

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        return len(captured.captured_queries)

    print("SQL queries (large assembly / small assembly):")
    for name in ("report_overview", "report_final", "report_final_zip"):
        print(f"  {name:<18} {queries(url(name)):3d} / {queries(url(name, SMALL_SLUG)):3d}")
    return 0 if total < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
