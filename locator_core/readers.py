"""Read incidents from disk into :class:`~locator_core.types.IncidentData`.

Contents
--------
- :func:`read_incident`        -- dispatch on what a path holds
- :func:`read_pittsburgh_test` -- one ``FPn/test_NNN/`` folder of the Pittsburgh release
- :func:`read_smj0_folder`, :func:`read_smj0_wav` -- sensor WAVs with ``smj0`` metadata
  (from :mod:`locator_core.smj0`)
- :func:`read_wav` -- the WAV reader (from :mod:`locator_core.wavfile`)

Every bad input raises :class:`~locator_core.types.LocatorError` with one sentence naming
the file. The Pittsburgh reader never opens ``*.survey.json`` (ground truth) nor
``*.nlos-tuples.json`` (the vendor's grouping of pulses into shots).
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from locator_core._fields import get_number, get_obj, get_text, get_time, load_json
from locator_core.smj0 import incident_from_audio, read_smj0_folder, read_smj0_wav
from locator_core.types import IncidentData, LocatorError, Pulse, Recording, Sensor, Weather
from locator_core.wavfile import read_wav

__all__ = [
    "read_incident",
    "read_pittsburgh_test",
    "read_smj0_folder",
    "read_smj0_wav",
    "read_wav",
    "is_pittsburgh_test",
]

_AUDIO_JSON = re.compile(r"^(?P<test>.+)\.audio\.(?P<serial>.+)\.json$")


def read_incident(path: str | Path) -> IncidentData:
    """Read an incident from a Pittsburgh test folder, an smj0 folder or one smj0 WAV."""
    path = Path(path)
    if path.is_file():
        if path.suffix.lower() != ".wav":
            raise LocatorError(f"{path} is not an incident: expected a folder or a sensor .wav file.")
        return incident_from_audio(path.stem, [read_smj0_wav(path)])
    if not path.is_dir():
        raise LocatorError(f"{path} does not exist.")
    entries = [p for p in path.iterdir() if not p.name.startswith(".")]
    if not entries:
        raise LocatorError(f"{path} is an empty folder.")
    if is_pittsburgh_test(path):
        return read_pittsburgh_test(path)
    if any(p.is_file() and p.suffix.lower() == ".wav" for p in entries):
        return read_smj0_folder(path)
    raise LocatorError(
        f"{path} holds no recognizable incident files (expected *.allpulses.json, "
        "*.audio.<serial>.json with .wav, or sensor .wav files)."
    )


def is_pittsburgh_test(folder: str | Path) -> bool:
    """True when ``folder`` looks like a Pittsburgh ``test_NNN`` folder."""
    folder = Path(folder)
    return any(folder.glob("*.allpulses.json")) or any(folder.glob("*.audio.*.json"))


def read_pittsburgh_test(folder: str | Path) -> IncidentData:
    """Read one Pittsburgh live-fire test folder.

    Reads ``*.allpulses.json`` (the sensors' own pulses; optional), every
    ``*.audio.<serial>.json`` with its ``.wav`` (optional) and ``*.weather.json``
    (optional; calm at 15 degC assumed, with a note, when absent). Positions are metres in
    the release's arbitrary Cartesian frame, so ``frame`` is None.

    A sensor's position is the median of the positions its pulses carry when it reported
    any: those are stable to centimetres, whereas the position stored with each audio
    file is a momentary fix that scatters by metres from test to test. Recordings and
    pulses of one serial share one :class:`Sensor`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LocatorError(f"{folder} is not a folder.")
    raw_pulses = _read_allpulses(folder)
    audio = _read_audio_meta(folder)
    if not raw_pulses and not audio:
        raise LocatorError(f"{folder} has neither pulses (*.allpulses.json) nor sensor audio.")
    sensors = _sensors(raw_pulses, audio)
    pulses = tuple(
        sorted(
            (Pulse(sensors[serial], t, snr, spl, uid) for serial, t, _, snr, spl, uid in raw_pulses),
            key=lambda p: (p.time_ns, p.sensor.serial),
        )
    )
    recordings = tuple(
        Recording(sensors[serial], start, float(wav.sample_rate), wav.samples, str(wav_path))
        for serial, start, _, wav_path, wav in audio
    )
    weather, notes = _read_weather(folder)
    name = folder.name if not re.fullmatch(r"FP\d+", folder.parent.name) else (
        f"{folder.parent.name}/{folder.name}"
    )
    return IncidentData(
        name=name,
        sensors=tuple(sensors[s] for s in sorted(sensors)),
        pulses=pulses,
        recordings=recordings,
        weather=weather,
        notes=notes,
    )


def _single(folder: Path, pattern: str) -> Path | None:
    found = sorted(folder.glob(pattern))
    if len(found) > 1:
        raise LocatorError(f"{folder} holds more than one {pattern} file.")
    return found[0] if found else None


def _xyz(obj: object, name: str) -> tuple[float, float, float]:
    loc = get_obj(obj, "location", name)
    return get_number(loc, "x", name), get_number(loc, "y", name), get_number(loc, "z", name, default=0.0)


def _read_allpulses(folder: Path) -> list[tuple]:
    path = _single(folder, "*.allpulses.json")
    if path is None:
        return []
    items = load_json(path)
    if not isinstance(items, list):
        raise LocatorError(f"{path} must hold a JSON list of pulses.")
    out = []
    for i, item in enumerate(items):
        name = f"{path} (pulse {i})"
        snr = get_number(item, "signal_to_noise_dB", name, default=float("nan"))
        spl = get_number(item, "power_dB_SPL", name, default=float("nan"))
        uid = item.get("pulse_uuid")
        out.append((
            get_text(item, "serial_number", name),
            get_time(item, "arrival_time_utc", name),
            _xyz(item, name),
            None if snr != snr else snr,
            None if spl != spl else spl,
            str(uid) if uid is not None else None,
        ))
    return out


def _read_audio_meta(folder: Path) -> list[tuple]:
    out = []
    for meta_path in sorted(folder.glob("*.audio.*.json")):
        if _AUDIO_JSON.match(meta_path.name) is None:
            continue
        wav_path = meta_path.with_suffix(".wav")
        if not wav_path.is_file():
            raise LocatorError(f"{meta_path} has no matching audio file {wav_path.name}.")
        meta = load_json(meta_path)
        name = str(meta_path)
        out.append((get_text(meta, "serial_number", name), get_time(meta, "timestamp", name),
                    _xyz(meta, name), wav_path, read_wav(wav_path)))
    described = {p.with_suffix(".wav") for p in folder.glob("*.audio.*.json")}
    for wav_path in sorted(folder.glob("*.audio.*.wav")):
        if wav_path not in described:
            raise LocatorError(f"{wav_path} has no metadata file {wav_path.with_suffix('.json').name}.")
    return out


def _sensors(raw_pulses: list[tuple], audio: list[tuple]) -> dict[str, Sensor]:
    positions: dict[str, list[tuple[float, float, float]]] = {}
    for serial, _, xyz, *_ in raw_pulses:
        positions.setdefault(serial, []).append(xyz)
    for serial, _, xyz, *_ in audio:
        positions.setdefault(serial, [xyz])
    return {
        serial: Sensor(serial, *(statistics.median(c) for c in zip(*xyzs, strict=True)))
        for serial, xyzs in positions.items()
    }


def _read_weather(folder: Path) -> tuple[Weather, tuple[str, ...]]:
    path = _single(folder, "*.weather.json")
    if path is None:
        return Weather(), ("no weather file: 15 degC and calm assumed.",)
    meta = load_json(path)
    name = str(path)
    temperature = get_number(meta, "temperature", name)
    if not -60.0 <= temperature <= 60.0:
        raise LocatorError(f"{name}: air temperature {temperature} degC is implausible.")
    return Weather(
        temperature_c=temperature,
        wind_speed_mps=get_number(meta, "speed", name, default=0.0),
        wind_from_deg=get_number(meta, "direction", name, default=0.0) % 360.0,
    ), ()
