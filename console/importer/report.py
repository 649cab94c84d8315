"""The validation report and the all-or-nothing import plan a later database step writes."""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from console.importer import options as o
from console.importer.reader import FileFacts, original_text
from console.importer.rows import ImportedAlert, Issue, RowResult

Policy = Literal["reject_rows", "refuse_file"]


@dataclass(frozen=True)
class RejectedRow:
    number: int
    line: int
    text: str
    message: str


@dataclass
class ReasonTally:
    """Every row number with this reason; the original text of the first few."""

    count: int = 0
    lines: list[int] = field(default_factory=list)
    samples: list[RejectedRow] = field(default_factory=list)


@dataclass
class ImportReport:
    file: str
    size: int
    sha256: str
    encoding: str
    format: str
    delimiter: str
    mapping: dict[str, str]
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    rejections: dict[str, ReasonTally] = field(default_factory=dict)
    warnings: dict[str, ReasonTally] = field(default_factory=dict)
    swapped: int = 0
    duplicate_ids: int = 0
    first: datetime | None = None
    last: datetime | None = None

    @property
    def has_errors(self) -> bool:
        return self.rejected > 0

    def summary(self) -> str:
        span = f"{self.first:%Y-%m-%d %H:%M} – {self.last:%Y-%m-%d %H:%M} UTC" \
            if self.first and self.last else "no dates"
        lines = [f"{self.file}: {self.format} layout, {self.rows} rows, {self.accepted} accepted, "
                 f"{self.rejected} rejected; {span}"]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  {t}: {c}" for t, c in sorted(self.by_type.items())]
        for title, group in (("rejected", self.rejections), ("warning", self.warnings)):
            for code, tally in sorted(group.items()):
                shown = ", ".join(map(str, tally.lines[:10]))
                more = " …" if tally.count > 10 else ""
                lines.append(f"  {title} {code}: {tally.count} (lines {shown}{more})")
        return "\n".join(lines)


class ReportBuilder:
    """Accumulates row results into a report; detects duplicates across the file."""

    def __init__(self, report: ImportReport, delimiter: str, sample_limit: int) -> None:
        self.report = report
        self._delimiter = delimiter
        self._limit = sample_limit
        self._ids: dict[str, int] = {}
        self._keys: dict[tuple[object, ...], int] = {}

    def _tally(self, group: dict[str, ReasonTally], code: str, res: RowResult,
               message: str) -> None:
        tally = group.setdefault(code, ReasonTally())
        tally.count += 1
        tally.lines.append(res.line)
        if len(tally.samples) < self._limit:
            tally.samples.append(RejectedRow(res.number, res.line,
                                             original_text(res.fields, self._delimiter)[:2000],
                                             message))

    def add(self, res: RowResult) -> None:
        rep = self.report
        rep.rows += 1
        alert = res.alert
        if alert is not None and res.ok:
            self._duplicates(res, alert)
        for issue in res.issues:
            if issue.code == o.SWAPPED:
                rep.swapped += 1
            if issue.code == o.DUPLICATE_ID:
                rep.duplicate_ids += 1
            self._tally(rep.rejections if issue.error else rep.warnings, issue.code, res,
                        issue.message)
        if res.ok and alert is not None:
            rep.accepted += 1
            rep.by_type[alert.alert_type] += 1
            t = alert.occurred_at
            rep.first = t if rep.first is None or t < rep.first else rep.first
            rep.last = t if rep.last is None or t > rep.last else rep.last
        else:
            rep.rejected += 1

    def _duplicates(self, res: RowResult, alert: ImportedAlert) -> None:
        if alert.source_id is not None:
            first = self._ids.setdefault(alert.source_id, res.line)
            if first != res.line:
                res.issues.append(Issue(o.DUPLICATE_ID, f"id {alert.source_id!r} already "
                                        f"on line {first}"))
            return
        key = (alert.occurred_at, alert.alert_type, alert.latitude, alert.longitude)
        first = self._keys.setdefault(key, res.line)
        if first != res.line:
            res.issues.append(Issue(o.DUPLICATE_ROW, f"same time, type and place as line {first}"))


@dataclass(frozen=True)
class ImportPlan:
    """Either every row the policy keeps (``ok``) or a refusal; never a partial import.

    A later database step writes ``alerts`` in one transaction, or nothing."""

    ok: bool
    policy: Policy
    report: ImportReport
    alerts: tuple[ImportedAlert, ...]
    refusal: str | None = None


def make_plan(facts: FileFacts, report: ImportReport, alerts: list[ImportedAlert],
              policy: Policy) -> ImportPlan:
    if policy == "refuse_file" and report.rejected:
        reasons = ", ".join(f"{c} ×{t.count}" for c, t in sorted(report.rejections.items()))
        return ImportPlan(False, policy, report, (),
                          f"{report.rejected} of {report.rows} rows have errors ({reasons})")
    if not alerts:
        return ImportPlan(False, policy, report, (), "no valid rows in the file")
    return ImportPlan(True, policy, report, tuple(alerts))


REPORT_COLUMNS = ("line", "severity", "code", "message", "original_text")


def write_report_csv(report: ImportReport, path: str | os.PathLike[str]) -> int:
    """Every rejected row and warning as CSV, by line; returns the data rows written.

    Each row names its line and reason code; the message and the original text are given
    for the first ``sample_limit`` rows of each reason (the report keeps no more)."""
    items: list[tuple[int, str, str, str, str]] = []
    for severity, group in (("error", report.rejections), ("warning", report.warnings)):
        for code, tally in group.items():
            samples = {r.line: r for r in tally.samples}
            for line in tally.lines:
                sample = samples.get(line)
                items.append((line, severity, code, sample.message if sample else "",
                              sample.text if sample else ""))
    items.sort(key=lambda i: (i[0], i[1], i[2]))
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(REPORT_COLUMNS)
        out.writerows(items)
    return len(items)
