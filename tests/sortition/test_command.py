from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from .helpers import SHARED


def test_it_writes_the_run_record_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "run.json"
    folder = SHARED / "example_small_20"
    call_command(
        "select_panel",
        "--categories",
        str(folder / "categories.csv"),
        "--respondents",
        str(folder / "respondents.csv"),
        "--panel-size",
        "20",
        "--seed",
        "3",
        "--number",
        "42",
        "--json",
        str(out),
    )
    record = json.loads(out.read_text(encoding="utf-8"))
    for key in (
        "panel",
        "probabilities",
        "min_probability",
        "distribution",
        "tickets",
        "ticket_drawn",
        "max_probability_change",
        "seconds",
        "input_sha256",
        "engine_version",
    ):
        assert key in record
    assert len(record["panel"]) == 20
    assert record["ticket_drawn"] == 42
    assert abs(record["min_probability"] - 0.1) < 1e-6
    assert capsys.readouterr().err


def test_it_fails_with_a_dutch_and_english_message_on_bad_input(tmp_path):
    bad = tmp_path / "respondents.csv"
    bad.write_text("gender,leaning\nfemale,liberal\nunknown,liberal\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command(
            "select_panel",
            "--categories",
            str(SHARED / "example_small_20" / "categories.csv"),
            "--respondents",
            str(bad),
            "--panel-size",
            "2",
            "--json",
            str(tmp_path / "o.json"),
        )
    text = str(caught.value)
    assert "regel 3, kolom 'gender'" in text and "row 3, column 'gender'" in text
    assert text.index("regel") < text.index("row 3")
    assert not (tmp_path / "o.json").exists()


def test_it_fails_with_the_diagnosis_on_infeasible_quotas(tmp_path):
    quotas = tmp_path / "q.csv"
    quotas.write_text("feature,value,min,max\ng,f,3,3\ng,m,0,3\n", encoding="utf-8")
    pool = tmp_path / "p.csv"
    pool.write_text("id,g\n1,f\n2,m\n3,m\n4,m\n", encoding="utf-8")
    with pytest.raises(CommandError, match="minimaal 3 gevraagd, 1 beschikbaar"):
        call_command(
            "select_panel",
            "--categories",
            str(quotas),
            "--respondents",
            str(pool),
            "--panel-size",
            "3",
            "--json",
            str(tmp_path / "o.json"),
        )
