"""The demo's population extract: a synthetic BRP file, imported once per assembly."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assembly.models import Assembly
from participants.models import PopulationImport
from participants.services.population import population_import

DEMO_FILE = Path(__file__).resolve().parent / "demo_data" / "brp_demo.csv"


def seed_population(assembly: Assembly) -> None:
    """Import the demo extract unless this assembly has it already (safe to run twice)."""
    data = DEMO_FILE.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    already = PopulationImport.objects.filter(
        assembly=assembly, file_sha256=sha256, status=PopulationImport.Status.IMPORTED
    ).exists()
    if already:
        return
    population_import(
        assembly=assembly, file_name=DEMO_FILE.name, data=data, uploaded_by=None,
        skip_invalid=False,
    )
