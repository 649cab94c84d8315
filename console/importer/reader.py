"""Streaming a CSV file: encoding (UTF-8, a BOM, Latin-1 fallback), delimiter, header row."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from console.importer.headers import Layout, detect_layout
from console.importer.options import CsvImportError, HeaderNotRecognised

_CHUNK = 1 << 20
_DELIMITERS = (",", ";", "\t", "|")
_HEADER_SEARCH_ROWS = 10  # title lines some portals put above the header
MAX_FIELD = 1 << 20
csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD))


@dataclass(frozen=True)
class FileFacts:
    path: Path
    size: int
    sha256: str
    encoding: str
    #: set when the file is not valid UTF-8 and was read as Latin-1
    encoding_note: str | None


@dataclass(frozen=True)
class RawRow:
    number: int  # 1-based data row (after the header)
    line: int  # physical line where the record starts
    fields: list[str]
    bytes_done: int


def inspect_file(path: str | os.PathLike[str], encoding: str | None = None) -> FileFacts:
    """Size, digest and encoding in one pass over the bytes (no row is parsed here)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise CsvImportError(f"{p} is not a file")
        digest = hashlib.sha256()
        head = b""
        decoder = codecs.getincrementaldecoder("utf-8")()
        bad_at: int | None = None
        done = 0
        with p.open("rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
                if not head:
                    head = chunk[:4]
                if bad_at is None and encoding is None:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        bad_at = done + exc.start
                done += len(chunk)
        if bad_at is None and encoding is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                bad_at = done
    except OSError as exc:
        raise CsvImportError(f"cannot read {p}: {exc.strerror or exc}") from exc
    if size == 0:
        raise CsvImportError(f"{p.name} is empty")
    note = None
    if encoding is None:
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        elif bad_at is None:
            encoding = "utf-8-sig"
        else:
            encoding = "latin-1"
            note = f"not valid UTF-8 (first bad byte at offset {bad_at}); read as Latin-1"
    else:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise CsvImportError(f"unknown encoding {encoding!r}") from exc
    return FileFacts(p, size, digest.hexdigest(), encoding, note)


def _text(facts: FileFacts) -> tuple[io.BufferedReader, io.TextIOWrapper]:
    raw = facts.path.open("rb")
    return raw, io.TextIOWrapper(raw, encoding=facts.encoding, errors="strict", newline="")


def _choose_delimiter(sample: str, mapping: dict[str, str] | None) -> str:
    """The delimiter under which a header row is recognised with the most columns."""
    lines = sample.splitlines()[:_HEADER_SEARCH_ROWS]
    best, best_score = ",", -1
    for delim in _DELIMITERS:
        for line in lines:
            cells = next(csv.reader([line], delimiter=delim), [])
            try:
                layout = detect_layout(cells, mapping)
            except CsvImportError:
                layout = detect_layout(cells)
            score = len(layout.columns) * 10 + len(cells) if layout.usable() else len(cells) - 100
            if score > best_score:
                best, best_score = delim, score
    return best


class CsvStream:
    """The rows of a file after its header, read once; ``bytes_done`` for progress."""

    def __init__(self, facts: FileFacts, mapping: dict[str, str] | None = None,
                 delimiter: str | None = None) -> None:
        self.facts = facts
        self._raw, self._text = _text(facts)
        try:
            sample = self._text.read(64 * 1024)
            #: the start of the file as text (for inferring the area), not rows to import
            self.sample = sample
            self.delimiter = delimiter or _choose_delimiter(sample, mapping)
            self._text.seek(0)
            self._reader = csv.reader(self._text, delimiter=self.delimiter)
            self.layout, self.skipped_lines = self._find_header(mapping)
        except CsvImportError:
            self.close()
            raise
        except (csv.Error, UnicodeError, ValueError, OSError) as exc:
            self.close()
            raise CsvImportError(f"{facts.path.name}: unreadable as CSV ({exc})") from exc

    def _find_header(self, mapping: dict[str, str] | None) -> tuple[Layout, int]:
        seen: list[list[str]] = []
        mapping_error: CsvImportError | None = None
        for _ in range(_HEADER_SEARCH_ROWS):
            row = next(self._reader, None)
            if row is None:
                break
            if not any(c.strip() for c in row):
                continue
            seen.append(row)
            try:
                layout = detect_layout([c.replace("\x00", "") for c in row], mapping)
            except CsvImportError as exc:  # a mapping names columns of a later row
                mapping_error = mapping_error or exc
                continue
            if layout.usable():
                return layout, self._reader.line_num - 1
        if mapping_error is not None:
            raise mapping_error
        if not seen:
            raise CsvImportError(f"{self.facts.path.name}: no header row (the file has no data)")
        shown = ", ".join(repr(c.strip())[:40] for c in seen[0][:12])
        raise HeaderNotRecognised(
            f"{self.facts.path.name}: header not recognised ({shown}); need a type column, "
            "a date column and latitude/longitude (or a location) — or give a column mapping",
            tuple(c.replace("\x00", "").strip() for c in seen[0]))

    def rows(self) -> Iterator[RawRow]:
        number = 0
        start = self._reader.line_num + 1
        try:
            while True:
                start = self._reader.line_num + 1
                row = next(self._reader, None)
                if row is None:
                    return
                if not any(c.strip() for c in row):
                    continue
                number += 1
                yield RawRow(number, start, row, self._raw.tell())
        except (csv.Error, UnicodeError, ValueError, OSError) as exc:
            raise CsvImportError(f"{self.facts.path.name}: unreadable in the record starting "
                                 f"at line {start}: {exc}") from exc
        finally:
            self.close()

    def close(self) -> None:
        try:
            self._text.close()
        finally:
            self._raw.close()

    def __enter__(self) -> CsvStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def original_text(fields: list[str], delimiter: str) -> str:
    """A rejected row as it would be written back to the file (for the report)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(fields)
    return buf.getvalue()
