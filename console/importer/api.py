"""The importer's entry points: batches with progress, preview, validate, plan."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from console.importer.area import infer_area, sample_points, suggest_preset
from console.importer.options import CsvImportError, ImportOptions
from console.importer.reader import CsvStream, FileFacts, inspect_file
from console.importer.report import ImportPlan, ImportReport, Policy, ReportBuilder, make_plan
from console.importer.rows import RowParser, RowResult

#: progress(rows_done, bytes_done, bytes_total)
Progress = Callable[[int, int, int], None]
PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Batch:
    results: tuple[RowResult, ...]
    rows_done: int
    bytes_done: int
    bytes_total: int


@dataclass(frozen=True)
class Preview:
    format: str
    delimiter: str
    encoding: str
    headers: tuple[str, ...]
    mapping: dict[str, str]
    rows: tuple[RowResult, ...]
    notes: tuple[str, ...]
    #: the city preset (time zone, area) the coordinates point to, if any
    suggested_preset: str | None = None


class Import:
    """One read of one file: header found on construction, rows parsed once, in batches."""

    def __init__(self, path: PathLike, options: ImportOptions | None = None) -> None:
        self.options = options or ImportOptions()
        self.facts: FileFacts = inspect_file(path, self.options.encoding)
        delim = self.options.delimiter
        if delim is not None and (len(delim) != 1 or delim in "\"\r\n"):
            raise CsvImportError(f"a delimiter is one character, not {delim!r}")
        self.stream = CsvStream(self.facts, self.options.mapping, delim)
        layout = self.stream.layout
        points = sample_points(self.stream.sample, self.stream.delimiter, layout)
        self.suggested_preset = suggest_preset(points)
        inferred = infer_area(points) if self.options.bbox is None else None
        try:
            self.parser = RowParser(layout, self.options, inferred)
        except CsvImportError:
            self.stream.close()
            raise
        notes = [self.facts.encoding_note] if self.facts.encoding_note else []
        if inferred is not None:
            notes.append(f"no area configured; the first rows lie around "
                         f"{(inferred.min_lat + inferred.max_lat) / 2:.3f}, "
                         f"{(inferred.min_lon + inferred.max_lon) / 2:.3f} — used only to "
                         "recognise swapped coordinates")
        if self.stream.skipped_lines:
            notes.append(f"{self.stream.skipped_lines} line(s) above the header skipped")
        self.report = ImportReport(
            file=self.facts.path.name, size=self.facts.size, sha256=self.facts.sha256,
            encoding=self.facts.encoding, format=layout.name, delimiter=self.stream.delimiter,
            mapping=layout.mapping(), notes=notes)
        self._builder = ReportBuilder(self.report, self.stream.delimiter,
                                      self.options.sample_limit)

    def batches(self, size: int = 2000, progress: Progress | None = None) -> Iterator[Batch]:
        """Parsed rows in batches; each result is also counted in ``self.report``."""
        size = max(1, size)
        pending: list[RowResult] = []
        done = 0
        bytes_done = 0
        total = self.facts.size
        for raw in self.stream.rows():
            res = self.parser.parse(raw.number, raw.line, raw.fields)
            self._builder.add(res)
            pending.append(res)
            done, bytes_done = raw.number, raw.bytes_done
            if len(pending) >= size:
                yield self._emit(pending, done, bytes_done, progress)
                pending = []
        yield self._emit(pending, done, total, progress)

    def _emit(self, pending: list[RowResult], done: int, bytes_done: int,
              progress: Progress | None) -> Batch:
        if progress is not None:
            progress(done, bytes_done, self.facts.size)
        return Batch(tuple(pending), done, bytes_done, self.facts.size)

    def close(self) -> None:
        self.stream.close()


def iter_batches(path: PathLike, options: ImportOptions | None = None, size: int = 2000,
                 progress: Progress | None = None) -> Iterator[Batch]:
    imp = Import(path, options)
    try:
        yield from imp.batches(size, progress)
    finally:
        imp.close()


def preview(path: PathLike, n: int = 20, options: ImportOptions | None = None) -> Preview:
    """Detected format, mapping and the first ``n`` rows parsed with their issues."""
    imp = Import(path, options)
    try:
        rows: list[RowResult] = []
        for batch in imp.batches(size=max(1, n)):
            rows.extend(batch.results)
            if len(rows) >= n:
                break
        return Preview(imp.report.format, imp.report.delimiter, imp.report.encoding,
                       imp.stream.layout.headers, imp.report.mapping, tuple(rows[:n]),
                       tuple(imp.report.notes), imp.suggested_preset)
    finally:
        imp.close()


def validate(path: PathLike, options: ImportOptions | None = None,
             progress: Progress | None = None, batch_size: int = 5000) -> ImportReport:
    """Read the whole file once and report on every row; nothing is kept."""
    imp = Import(path, options)
    try:
        for _ in imp.batches(batch_size, progress):
            pass
        return imp.report
    finally:
        imp.close()


def plan(path: PathLike, options: ImportOptions | None = None,
         policy: Policy = "reject_rows", progress: Progress | None = None,
         batch_size: int = 5000) -> ImportPlan:
    """The rows to import under ``policy`` (``reject_rows``: keep the valid ones;
    ``refuse_file``: nothing if any row has an error), with the report."""
    if policy not in ("reject_rows", "refuse_file"):
        raise CsvImportError(f"unknown policy {policy!r}")
    imp = Import(path, options)
    try:
        kept = [r.alert for b in imp.batches(batch_size, progress) for r in b.results
                if r.ok and r.alert is not None]
        return make_plan(imp.facts, imp.report, kept, policy)
    finally:
        imp.close()
