"""Sizes of a frozen build against the budget, biggest parts first.

    python packaging/sizes.py dist/MobileAlertConsole [--budget-mb 600]
        [--archive FILE --archive-budget-mb 250] [--top 15] [--json]

Exits 1 when the bundle or the archive is over its budget (the build script stops there).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MB = 1024 * 1024


def tree_size(path: Path) -> int:
    """Bytes of the regular files below ``path`` (symlinks not followed nor counted)."""
    if path.is_symlink():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def biggest(root: Path, top: int) -> list[tuple[str, int]]:
    """The largest entries two levels down (``_internal/PySide6/Qt/lib`` style groups)."""
    entries: list[tuple[str, int]] = []
    for first in root.iterdir():
        inner = first / "_internal" if (first / "_internal").is_dir() else first
        kids = list(inner.iterdir()) if inner.is_dir() else [inner]
        for kid in kids:
            entries.append((str(kid.relative_to(root)), tree_size(kid)))
    qt = root / "_internal" / "PySide6" / "Qt"
    if qt.is_dir():  # QtWebEngine dominates: show its parts too
        entries += [(str(p.relative_to(root)), tree_size(p)) for p in qt.iterdir()]
        lib = qt / "lib"
        if lib.is_dir():
            entries += [(str(p.relative_to(root)), tree_size(p)) for p in lib.iterdir()]
    return sorted(entries, key=lambda e: -e[1])[:top]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("onedir", type=Path)
    p.add_argument("--budget-mb", type=float, default=600)
    p.add_argument("--archive", type=Path)
    p.add_argument("--archive-budget-mb", type=float, default=250)
    p.add_argument("--top", type=int, default=15)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    total = tree_size(args.onedir)
    report = {"onedir_mb": round(total / MB, 1), "budget_mb": args.budget_mb,
              "biggest": [(name, round(size / MB, 1)) for name, size in
                          biggest(args.onedir, args.top)]}
    ok = total <= args.budget_mb * MB
    if args.archive is not None:
        size = args.archive.stat().st_size
        report.update(archive=args.archive.name, archive_mb=round(size / MB, 1),
                      archive_budget_mb=args.archive_budget_mb)
        ok = ok and size <= args.archive_budget_mb * MB
    report["within_budget"] = ok
    if args.json:
        print(json.dumps(report))
    else:
        for name, size in report["biggest"]:
            print(f"  {size:8.1f} MB  {name}")
        print(f"onedir {report['onedir_mb']} MB (budget {args.budget_mb:g} MB)")
        if args.archive is not None:
            print(f"{report['archive']} {report['archive_mb']} MB "
                  f"(budget {args.archive_budget_mb:g} MB)")
        print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
