"""Coverage-guided fuzzing of the alert parser with atheris (libFuzzer); not run in CI.

atheris is not a project dependency (it needs a build toolchain on some platforms); put it
in a separate virtual environment. The alert parser needs only the standard library:

    python3 -m venv /tmp/atheris-venv && /tmp/atheris-venv/bin/pip install atheris
    /tmp/atheris-venv/bin/python scripts/fuzz/fuzz_alert_parser.py -max_total_time=60

Any libFuzzer option may follow (``-runs=N``, a corpus directory, ...). Without a corpus
directory it seeds one in a temporary folder with the protocol's example alert. An input
is decoded as JSON; the parser must either return an alert or raise
``AlertValidationError`` whose message starts with the field's path. Anything else is a
crash, saved by libFuzzer as ``crash-<sha1>``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports():
    from console.domain.alert import AlertValidationError, alert_to_json, parse_alert

SEED = {
    "seq": 1043, "id": "PGH-2024-0001", "revision": 2, "review": "reviewed",
    "type": "multiple_gunshots", "time": "2024-05-01T02:13:07.25Z",
    "location": {"lat": 40.4406, "lon": -79.9959, "uncertainty_m": 25},
    "rounds": 5, "shooters": 2, "mobile": {"speed_mps": 8, "heading_deg": 45},
    "shots": [{"time": "2024-05-01T02:13:07.25Z", "lat": 40.4406, "lon": -79.9959}],
    "supplements": [{"at": "2024-05-01T02:15:00Z", "kind": "vehicle", "text": "sedan"}],
    "events": [{"event_id": "0b6f3c8e-3d8e-4d59-9d7b-2f1a9c0b7e11",
                "incident_id": "PGH-2024-0001", "kind": "status",
                "at": "2024-05-01T02:16:40Z", "unit": "2A12", "data": {"status": "en_route"}}],
}


def test_one_input(data: bytes) -> None:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return
    try:
        alert = parse_alert(doc)
    except AlertValidationError as exc:
        if not str(exc).startswith(f"{exc.path}: "):
            raise AssertionError(f"message does not name the field: {exc}") from None
        return
    again = parse_alert(json.loads(json.dumps(alert_to_json(alert))))
    if again != alert:
        raise AssertionError("accepted alert does not survive its JSON round trip")


def main() -> None:
    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):
        corpus = Path(tempfile.mkdtemp(prefix="alert-corpus-"))
        (corpus / "seed.json").write_text(json.dumps(SEED))
        (corpus / "min.json").write_text(json.dumps(
            {k: SEED[k] for k in ("seq", "id", "revision", "review", "type", "time",
                                  "location")}))
        args.append(str(corpus))
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
