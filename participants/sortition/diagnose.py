"""Why no panel meets the quotas, and the smallest change that fixes it.

First quick checks an organiser can verify by counting (a value's minimum above
the number of people who have it, counted one per household; fewer households
than seats). If those pass, an integer program with a slack on every minimum
and maximum finds the smallest total relaxation that makes the quotas
feasible (LOTTERY.md, "Infeasible quotas"); each non-zero slack becomes one
finding in the organiser's words, with the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from .errors import SortitionError
from .pricing import INF, new_highs
from .units import Units


@dataclass(frozen=True)
class Finding:
    """One quota that must change: ``bound`` is "min" or "max"."""

    category: str
    value: str
    bound: str
    asked: int
    possible: int
    available: bool = False  # True: a count of people, not an optimisation result

    @property
    def message(self) -> str:
        if self.bound == "min":
            word = "available" if self.available else "possible"
            return (
                f"not enough respondents with {self.category} {self.value}: "
                f"at least {self.asked} asked, {self.possible} {word}"
            )
        return (
            f"too many respondents with {self.category} {self.value} needed: "
            f"at most {self.asked} allowed, at least {self.possible} needed"
        )

    @property
    def message_nl(self) -> str:
        if self.bound == "min":
            word = "beschikbaar" if self.available else "haalbaar"
            return (
                f"niet genoeg respondenten met {self.category} {self.value}: "
                f"minimaal {self.asked} gevraagd, {self.possible} {word}"
            )
        return (
            f"te veel respondenten met {self.category} {self.value} nodig: "
            f"maximaal {self.asked} toegestaan, minstens {self.possible} nodig"
        )


def _groups_with(units: Units) -> np.ndarray:
    """Per value: how many people can be chosen at once (one per household)."""
    household = {u: h for h, group in enumerate(units.households) for u in group}
    result = np.zeros(len(units.value_names), dtype=np.int64)
    for v in range(len(units.value_names)):
        seen: set[int] = set()
        for u in np.flatnonzero(units.incidence[v]):
            if int(u) in household:
                seen.add(household[int(u)])
            else:
                result[v] += units.count[u]
        result[v] += len(seen)
    return result


def quick_findings(units: Units) -> list[Finding]:
    """Minimums above the number of people who have the value."""
    available = _groups_with(units)
    return [
        Finding(c, v, "min", int(units.qmin[i]), int(available[i]), available=True)
        for i, (c, v) in enumerate(units.value_names)
        if units.qmin[i] > available[i]
    ]


def slack_findings(units: Units) -> list[Finding]:
    """The smallest total relaxation of minimums and maximums (integer program)."""
    n, m = units.size, len(units.value_names)
    model = new_highs(0)
    # x (units), then lo (per value), then hi (per value)
    model.addVars(
        n + 2 * m,
        np.zeros(n + 2 * m),
        np.concatenate([units.count.astype(np.float64), np.full(2 * m, INF)]),
    )
    model.changeColsIntegrality(
        n + 2 * m,
        np.arange(n + 2 * m, dtype=np.int32),
        np.full(n + 2 * m, highspy.HighsVarType.kInteger),
    )
    model.changeColsCost(2 * m, np.arange(n, n + 2 * m, dtype=np.int32), np.ones(2 * m))
    model.addRow(units.panel_size, units.panel_size, n, np.arange(n, dtype=np.int32), np.ones(n))
    for v in range(m):
        members = np.flatnonzero(units.incidence[v]).astype(np.int32)
        model.addRow(
            float(units.qmin[v]),
            INF,
            len(members) + 1,
            np.append(members, n + v).astype(np.int32),
            np.ones(len(members) + 1),
        )
        model.addRow(
            -INF,
            float(units.qmax[v]),
            len(members) + 1,
            np.append(members, n + m + v).astype(np.int32),
            np.append(np.ones(len(members)), -1.0),
        )
    for group in units.households:
        model.addRow(-INF, 1.0, len(group), np.array(group, dtype=np.int32), np.ones(len(group)))
    model.run()
    if model.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return []
    values = np.rint(np.array(model.getSolution().col_value)).astype(np.int64)
    findings: list[Finding] = []
    for v, (c, name) in enumerate(units.value_names):
        low, high = int(values[n + v]), int(values[n + m + v])
        if low:
            findings.append(Finding(c, name, "min", int(units.qmin[v]), int(units.qmin[v]) - low))
        if high:
            findings.append(Finding(c, name, "max", int(units.qmax[v]), int(units.qmax[v]) + high))
    return findings


def diagnose(units: Units) -> list[Finding]:
    """Findings explaining infeasibility (empty if the quotas are feasible)."""
    findings = quick_findings(units)
    if findings:
        return findings
    people = int(units.count.sum())
    in_households = sum(len(group) for group in units.households)
    choosable = people - in_households + len(units.households)
    if choosable < units.panel_size:
        return [Finding("huishouden", "één per adres", "min", units.panel_size, choosable, True)]
    return slack_findings(units)


def infeasible_error(units: Units) -> SortitionError:
    """The error to raise, with the diagnosis in both languages."""
    findings = diagnose(units)
    if not findings:
        findings_en = "The solver found no panel, but no quota needs to change."
        findings_nl = "De rekenmethode vond geen panel, maar geen quotum hoeft te veranderen."
    else:
        findings_en = "; ".join(f.message for f in findings) + "."
        findings_nl = "; ".join(f.message_nl for f in findings) + "."
    error = SortitionError("infeasible_quotas", details=findings_en, details_nl=findings_nl)
    error.params["findings"] = [f.__dict__ for f in findings]
    return error
