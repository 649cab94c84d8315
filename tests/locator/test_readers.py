"""Readers on the real Pittsburgh and smj0 data, and every kind of broken input."""

from __future__ import annotations

import json
import math
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from locator_core.readers import (
    read_incident,
    read_pittsburgh_test,
    read_smj0_folder,
    read_smj0_wav,
    read_wav,
)
from locator_core.timeutil import parse_iso_utc
from locator_core.types import EARTH_RADIUS_M, LocatorError

CHICAGO_D5 = "chicago-d5-2022-09-18-incident-556267"
CHICAGO_D7 = "chicago-d7-2022-09-21-request-4072698"
SCEPTER = "scepter-test"


def _riff(*chunks: tuple[bytes, bytes], pad: bool = True) -> bytes:
    body = b"WAVE"
    for cid, payload in chunks:
        body += cid + struct.pack("<I", len(payload)) + payload
        if pad and len(payload) % 2:
            body += b"\0"
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _fmt(tag: int, channels: int, rate: int, bits: int) -> tuple[bytes, bytes]:
    align = channels * bits // 8
    return b"fmt ", struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)


def _pcm16(samples: np.ndarray, rate: int = 12000, extra: tuple = ()) -> bytes:
    data = np.round(np.asarray(samples) * 32767).astype("<i2").tobytes()
    return _riff(_fmt(1, 1, rate, 16), (b"data", data), *extra)


def _smj0(meta: dict) -> tuple[bytes, bytes]:
    return b"smj0", zlib.compress(json.dumps(meta).encode())


def _meta(serial: str = "SCP-TEST-1", lat: float = 41.7, lon: float = -87.6, **kw) -> dict:
    meta = {
        "serialNumber": serial,
        "startTimeUTC": "2022-09-18T05:20:54.178Z",
        "geolocation": {"latitude": lat, "longitude": lon, "elevation": 190.0},
        "weather": {"temperature": 20.0, "speed": 2.0, "direction": 90.0},
    }
    meta.update(kw)
    return meta


@pytest.fixture
def test001(pittsburgh: Path) -> Path:
    return pittsburgh / "FP1" / "test_001"


@pytest.fixture
def test001_copy(test001: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "FP1" / "test_001"
    shutil.copytree(test001, dst)
    return dst


# --- Pittsburgh ----------------------------------------------------------------------------


def test_pittsburgh_test_001_contents(test001: Path) -> None:
    data = read_pittsburgh_test(test001)
    assert data.name == "FP1/test_001"
    assert len(data.pulses) == 158
    assert len(data.sensors) == 27  # every sensor that reported a pulse
    assert len(data.recordings) == 6
    assert data.frame is None
    assert (data.weather.temperature_c, data.weather.wind_speed_mps) == (0.0, 0.0)
    assert data.notes == ()
    assert [p.time_ns for p in data.pulses] == sorted(p.time_ns for p in data.pulses)
    serials = {s.serial for s in data.sensors}
    assert {r.sensor.serial for r in data.recordings} <= serials
    assert {p.sensor.serial for p in data.pulses} == serials


def test_pittsburgh_times_are_exact_nanoseconds(test001: Path) -> None:
    data = read_pittsburgh_test(test001)
    pulse = next(p for p in data.pulses if p.uid == "3e946732-30fe-bd5b-5586-42311920789e")
    assert pulse.time_ns == 1_545_180_567_467_000_000  # 2018-12-19T00:49:27.467Z
    assert isinstance(pulse.time_ns, int)
    assert pulse.sensor.serial == "SCP-00-BNG-5028"
    assert pulse.snr_db == pytest.approx(4.33317)
    assert pulse.level_db_spl == pytest.approx(76.9707)
    rec = next(r for r in data.recordings if r.sensor.serial == "SCP-00-BNG-5567")
    assert rec.start_ns == parse_iso_utc("2018-12-19T00:49:26.000Z") == 1_545_180_566_000_000_000
    assert rec.sample_rate == 12000.0
    assert rec.samples.dtype == np.float32 and rec.samples.shape == (120000,)
    assert float(np.abs(rec.samples).max()) <= 1.0
    assert rec.source.endswith("test_001.audio.SCP-00-BNG-5567.wav")


def test_pittsburgh_sensor_position_comes_from_its_pulses(test001: Path) -> None:
    # The audio JSON holds a momentary fix (x=-11246.88) that scatters by metres between
    # tests; the pulses carry the stable position (x=-11251.5 to -11251.6).
    data = read_pittsburgh_test(test001)
    rec = next(r for r in data.recordings if r.sensor.serial == "SCP-00-BNQ-0979")
    assert math.hypot(rec.sensor.x + 11251.57, rec.sensor.y - 3583.96) < 0.5
    assert math.hypot(rec.sensor.x + 11246.88, rec.sensor.y - 3584.26) > 4.0
    assert all(p.sensor == rec.sensor for p in data.pulses if p.sensor.serial == rec.sensor.serial)


def test_pittsburgh_never_reads_ground_truth_or_vendor_grouping(test001_copy: Path) -> None:
    (test001_copy / "test_001.survey.json").write_text("{ this is not json")
    (test001_copy / "test_001.nlos-tuples.json").write_bytes(b"\xff\xfe garbage")
    data = read_incident(test001_copy)
    assert len(data.pulses) == 158


def test_pittsburgh_audio_only_folder(test001_copy: Path) -> None:
    (test001_copy / "test_001.allpulses.json").unlink()
    data = read_incident(test001_copy)
    assert data.pulses == ()
    assert len(data.recordings) == len(data.sensors) == 6
    bnq0979 = next(s for s in data.sensors if s.serial == "SCP-00-BNQ-0979")
    assert bnq0979.x == pytest.approx(-11246.8804605764)  # only the audio JSON to go on


def test_pittsburgh_pulses_only_folder_and_missing_weather(test001_copy: Path) -> None:
    for path in test001_copy.glob("*.audio.*"):
        path.unlink()
    (test001_copy / "test_001.weather.json").unlink()
    data = read_pittsburgh_test(test001_copy)
    assert data.recordings == ()
    assert len(data.pulses) == 158
    assert data.weather.temperature_c == 15.0
    assert any("no weather file" in note for note in data.notes)


def test_pittsburgh_test_with_other_weather(pittsburgh: Path) -> None:
    data = read_pittsburgh_test(pittsburgh / "FP4" / "test_055")
    raw = json.loads((pittsburgh / "FP4" / "test_055" / "test_055.weather.json").read_text())
    assert data.weather.temperature_c == raw["temperature"]
    assert data.weather.wind_speed_mps == raw["speed"]
    assert data.weather.wind_from_deg == raw["direction"] % 360


# --- smj0 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "serials", "seconds"),
    [
        (CHICAGO_D5, {"SCP-00-BNG-4089", "SCP-00-BNG-3866", "SCP-00-BNG-4922", "SCP-00-BNG-4827"}, 2.0),
        (CHICAGO_D7, {"SCP-00-BNG-5688", "SCP-00-BEN-0421", "SCP-00-BNG-2023", "SCP-01-BNG-1921",
                      "SCP-01-BNG-1862", "SCP-00-BEN-1326"}, 9.983),
        (SCEPTER, {"SCP-00-BNG-8319"}, 8.0),
    ],
)
def test_smj0_folders(shotspotter_wav: Path, folder: str, serials: set, seconds: float) -> None:
    data = read_smj0_folder(shotspotter_wav / folder)
    assert {s.serial for s in data.sensors} == serials
    assert len(data.recordings) == len(serials)
    assert data.pulses == ()
    assert data.frame is not None
    for rec in data.recordings:
        audio = read_smj0_wav(rec.source)
        assert rec.duration_s == pytest.approx(seconds, abs=1e-3)
        assert rec.start_ns == parse_iso_utc(audio.metadata["startTimeUTC"])
        lat, lon = data.frame.to_geographic(rec.sensor.x, rec.sensor.y)
        north = math.radians(lat - audio.latitude) * EARTH_RADIUS_M
        east = math.radians(lon - audio.longitude) * EARTH_RADIUS_M * math.cos(math.radians(lat))
        assert math.hypot(north, east) < 1e-3  # metres
        assert rec.sensor.z == pytest.approx(audio.elevation_m - data.frame.h0)
    # the frame sits at the centroid: local positions average to zero
    assert np.mean([s.x for s in data.sensors]) == pytest.approx(0.0, abs=1e-6)
    assert np.mean([s.y for s in data.sensors]) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("folder", [CHICAGO_D5, CHICAGO_D7])
def test_smj0_chicago_frame_and_weather(shotspotter_wav: Path, folder: str) -> None:
    data = read_smj0_folder(shotspotter_wav / folder)
    assert data.frame.lat0 == pytest.approx(41.7, abs=0.15)
    assert data.frame.lon0 == pytest.approx(-87.6, abs=0.1)
    assert max(math.hypot(s.x, s.y) for s in data.sensors) < 1500.0
    expected = {CHICAGO_D5: (25.0, 6.68777), CHICAGO_D7: (26.1, 3.08666)}[folder]
    assert (data.weather.temperature_c, data.weather.wind_speed_mps) == expected
    assert data.weather.wind_from_deg == pytest.approx(210.0)


def test_read_smj0_wav_for_the_audio_player(shotspotter_wav: Path) -> None:
    path = next((shotspotter_wav / CHICAGO_D5).glob("113adf*.wav"))
    audio = read_smj0_wav(path)
    assert audio.serial == "SCP-00-BNG-4089"
    assert audio.sample_rate == 12000
    assert audio.samples.dtype == np.float32 and len(audio.samples) == 24000
    assert audio.start_ns == parse_iso_utc("2022-09-18T05:20:54.178Z")
    assert (audio.latitude, audio.longitude) == (41.697987, -87.633597)
    assert audio.elevation_m == pytest.approx(195.632161277473)
    assert audio.metadata["transducers"][0]["fullScale"] == pytest.approx(93.09)


def test_read_incident_dispatch(pittsburgh: Path, shotspotter_wav: Path) -> None:
    assert read_incident(pittsburgh / "FP2" / "test_019").name == "FP2/test_019"
    assert read_incident(shotspotter_wav / CHICAGO_D5).frame is not None
    wav = next((shotspotter_wav / SCEPTER).glob("*.wav"))
    single = read_incident(wav)
    assert [s.serial for s in single.sensors] == ["SCP-00-BNG-8319"]
    assert (single.sensors[0].x, single.sensors[0].y) == (0.0, 0.0)


def test_smj0_missing_temperature_defaults_with_note(tmp_path: Path) -> None:
    samples = np.zeros(1200)
    meta = _meta(weather={"temperature": None, "speed": 1.0, "direction": 350.0})
    (tmp_path / "a.wav").write_bytes(_pcm16(samples, extra=(_smj0(meta),)))
    meta2 = _meta("SCP-TEST-2", lat=41.701, weather={"speed": 3.0, "direction": 10.0})
    (tmp_path / "b.wav").write_bytes(_pcm16(samples, extra=(_smj0(meta2),)))
    data = read_smj0_folder(tmp_path)
    assert data.weather.temperature_c == 15.0
    assert any("temperature" in n for n in data.notes)
    assert data.weather.wind_speed_mps == 2.0
    assert data.weather.wind_from_deg == pytest.approx(0.0, abs=1e-6)  # circular mean of 350, 10


# --- the WAV reader ------------------------------------------------------------------------


def test_read_wav_encodings_and_channel_zero(tmp_path: Path) -> None:
    ramp = np.linspace(-0.9, 0.9, 480)
    other = -ramp
    stereo = np.stack([ramp, other], axis=1)
    i24 = np.round(stereo * 2**23).astype("<i4")
    b24 = np.stack([(i24 >> s) & 0xFF for s in (0, 8, 16)], axis=-1).astype(np.uint8).tobytes()
    cases = {
        "i24": (_riff(_fmt(1, 2, 8000, 24), (b"data", b24)), 2**-23),
        "i32": (_riff(_fmt(1, 2, 8000, 32), (b"data", np.round(stereo * 2**31).astype("<i4").tobytes())), 1e-9),
        "f32": (_riff(_fmt(3, 2, 8000, 32), (b"data", stereo.astype("<f4").tobytes())), 1e-7),
        "u8": (_riff(_fmt(1, 2, 8000, 8), (b"data", np.round(stereo * 128 + 128).astype(np.uint8).tobytes())), 1 / 128),
    }
    for name, (blob, tol) in cases.items():
        path = tmp_path / f"{name}.wav"
        path.write_bytes(blob)
        wav = read_wav(path)
        assert (wav.sample_rate, wav.channels) == (8000, 2), name
        assert wav.samples.dtype == np.float32
        np.testing.assert_allclose(wav.samples, ramp, atol=tol, err_msg=name)


def test_read_wav_odd_chunks_with_and_without_padding(tmp_path: Path) -> None:
    samples = np.sin(np.arange(600) / 5.0) * 0.5
    note = (b"LIST", b"odd")  # three bytes: padded to four by the spec
    for pad in (True, False):
        blob = _riff(_fmt(1, 1, 12000, 16), note, (b"data", np.round(samples * 32767).astype("<i2").tobytes()),
                     _smj0(_meta()), pad=pad)
        path = tmp_path / f"pad{pad}.wav"
        path.write_bytes(blob)
        wav = read_wav(path)
        np.testing.assert_allclose(wav.samples, samples, atol=1 / 32767)
        assert wav.chunk("LIST") == b"odd"
        assert wav.chunk("smj0") is not None
        assert read_smj0_wav(path).serial == "SCP-TEST-1"


def test_read_wav_truncated_data_keeps_what_is_there(shotspotter_wav: Path, tmp_path: Path) -> None:
    src = next((shotspotter_wav / CHICAGO_D5).glob("113adf*.wav"))
    full = read_wav(src)
    path = tmp_path / "cut.wav"
    path.write_bytes(src.read_bytes()[: 44 + 2 * 5000 + 1])  # 5000.5 samples of 24000
    wav = read_wav(path)
    assert wav.truncated
    assert len(wav.samples) == 5000
    np.testing.assert_array_equal(wav.samples, full.samples[:5000])
    with pytest.raises(LocatorError, match="no smj0 metadata chunk"):
        read_smj0_wav(path)  # the metadata chunk came after the lost audio


# --- broken input: one clear LocatorError naming the file ------------------------------------


def _raises(match: str, func, *args) -> str:
    with pytest.raises(LocatorError, match=match) as info:
        func(*args)
    message = str(info.value)
    assert "Traceback" not in message and "\n" not in message
    return message


def test_truncated_wav_is_rejected(shotspotter_wav: Path, tmp_path: Path) -> None:
    src = next((shotspotter_wav / CHICAGO_D5).glob("113adf*.wav"))
    path = tmp_path / "short.wav"
    path.write_bytes(src.read_bytes()[:44 + 100])  # 50 samples, about 4 ms
    assert str(path) in _raises(r"is truncated: only 50 samples", read_wav, path)


def test_garbage_header_is_rejected(shotspotter_wav: Path, tmp_path: Path) -> None:
    blob = bytearray(next((shotspotter_wav / CHICAGO_D5).glob("113adf*.wav")).read_bytes())
    blob[:4] = b"\x00\xff\x13\x37"
    path = tmp_path / "flipped.wav"
    path.write_bytes(bytes(blob))
    assert str(path) in _raises("is not a WAV file", read_wav, path)
    blob[:4] = b"RIFF"
    blob[12:16] = b"\x01\x02\x03\x04"  # the first chunk id
    path.write_bytes(bytes(blob))
    assert str(path) in _raises("corrupt WAV header", read_wav, path)


def test_zero_byte_wav_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert str(path) in _raises("is not a WAV file", read_wav, path)
    assert str(path) in _raises("is not a WAV file", read_smj0_folder, tmp_path)


def test_wav_without_smj0_in_an_smj0_folder(tmp_path: Path) -> None:
    (tmp_path / "good.wav").write_bytes(_pcm16(np.zeros(1200), extra=(_smj0(_meta()),)))
    (tmp_path / "plain.wav").write_bytes(_pcm16(np.zeros(1200)))
    message = _raises("has no smj0 metadata chunk", read_incident, tmp_path)
    assert "plain.wav" in message


@pytest.mark.parametrize(
    ("chunk", "match"),
    [
        ((b"smj0", b"not zlib at all"), "not valid zlib"),
        ((b"smj0", zlib.compress(b"{'serial': ")), "not valid JSON"),
        (_smj0({"serialNumber": "X", "startTimeUTC": "2022-01-01T00:00:00Z"}), "'geolocation' is missing"),
        (_smj0(_meta(lat=float("nan"))), "'latitude' is not a finite number"),
        (_smj0(_meta(lat=141.0)), "not a valid latitude/longitude"),
        (_smj0(_meta(startTimeUTC="yesterday")), "'startTimeUTC' is not an ISO-8601"),
    ],
)
def test_bad_smj0_metadata(tmp_path: Path, chunk: tuple[bytes, bytes], match: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(_pcm16(np.zeros(1200), extra=(chunk,)))
    assert str(path) in _raises(match, read_smj0_wav, path)


def test_same_sensor_twice_in_a_folder(tmp_path: Path) -> None:
    for name in ("a.wav", "b.wav"):
        (tmp_path / name).write_bytes(_pcm16(np.zeros(1200), extra=(_smj0(_meta()),)))
    _raises("sensor SCP-TEST-1 has more than one recording", read_smj0_folder, tmp_path)


def test_garbage_json_in_a_pittsburgh_folder(test001_copy: Path) -> None:
    path = test001_copy / "test_001.allpulses.json"
    path.write_text('[{"serial_number": "A", ')
    assert str(path) in _raises("is not valid JSON", read_incident, test001_copy)


def test_missing_and_non_finite_fields_in_a_pittsburgh_folder(test001_copy: Path) -> None:
    pulses_path = test001_copy / "test_001.allpulses.json"
    pulses = json.loads(pulses_path.read_text())
    del pulses[3]["arrival_time_utc"]
    pulses_path.write_text(json.dumps(pulses))
    message = _raises(r"\(pulse 3\): required field 'arrival_time_utc' is missing", read_pittsburgh_test,
                      test001_copy)
    assert str(pulses_path) in message
    pulses_path.unlink()
    meta_path = test001_copy / "test_001.audio.SCP-00-BNG-5567.json"
    meta = json.loads(meta_path.read_text())
    meta["location"]["x"] = float("inf")
    meta_path.write_text(json.dumps(meta))
    assert str(meta_path) in _raises("'x' is not a finite number", read_pittsburgh_test, test001_copy)


def test_audio_metadata_without_its_wav(test001_copy: Path) -> None:
    (test001_copy / "test_001.audio.SCP-00-BNG-5567.wav").unlink()
    _raises(r"test_001.audio.SCP-00-BNG-5567.json has no matching audio file", read_incident,
            test001_copy)


def test_empty_unrecognizable_and_missing_paths(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert str(empty) in _raises("is an empty folder", read_incident, empty)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("hello")
    assert str(other) in _raises("holds no recognizable incident files", read_incident, other)
    _raises("does not exist", read_incident, tmp_path / "nowhere")
    _raises("is not an incident", read_incident, other / "notes.txt")
    _raises("holds no WAV files", read_smj0_folder, other)
