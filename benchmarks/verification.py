"""Benchmark: verification of Pittsburgh tests end to end in the GUI (figures, not a test).

For each test and source (reported pulses, sensor audio) the verification view is asked
to verify the folder exactly as its "Open recordings…" button does after the folder
dialog, and the clock runs until the result is on screen (verdict, table and plot
drawn). The recordings then load into the audio player in the background; that time is
printed apart ("audio"), and each run waits for it so runs do not overlap. The first
run of the process is reported apart (imports, sound device, first paint).
Target: <= 2 s from audio.

    .venv/bin/python benchmarks/verification.py [--tests FP1/test_001 ...] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PITTSBURGH = ROOT.parent / "shared" / "data" / "pittsburgh-2018"
DEFAULT_TESTS = ("FP1/test_001", "FP2/test_019", "FP3/test_037", "FP4/test_055")
TARGET_S = 2.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tests", nargs="+", default=list(DEFAULT_TESTS))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from console.domain.permissions import user_for_mode
    from console.ui.verification_view import VerificationView

    view = VerificationView(None, user_for_mode("desk"), map_factory=False)
    view.resize(1200, 760)
    view.show()
    app.processEvents()
    time.sleep(2.0)  # as a user would: the view is open a moment before the first run

    from console.ui.audio_workers import audio_pool

    audio_times: list[float] = []

    def once(folder: Path, source: str) -> float:
        view.source_box.setCurrentIndex({"pulses": 1, "audio": 2}[source])
        loop = QEventLoop()
        outcome: list[str] = []
        view.verification_finished.connect(lambda _r: (outcome.append("ok"), loop.quit()))
        view.verification_failed.connect(lambda m: (outcome.append(m), loop.quit()))
        t0 = time.perf_counter()
        view.open_recordings(folder)
        loop.exec()
        view.repaint()  # the result drawn (synchronously), not just computed
        dt = time.perf_counter() - t0
        view.verification_finished.disconnect()
        view.verification_failed.disconnect()
        while view.state != "idle":
            app.processEvents()
        if outcome != ["ok"]:
            raise SystemExit(f"{folder}: {outcome}")
        deadline = time.perf_counter() + 30.0
        while view.audio_player is None and time.perf_counter() < deadline:
            app.processEvents()
        player = view.audio_player
        loaded: list[int] = []
        player.markers_ready.connect(loaded.append)
        while not loaded and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.002)
        player.markers_ready.disconnect()
        while audio_pool().activeThreadCount() and time.perf_counter() < deadline:
            app.processEvents()
        audio_times.append(time.perf_counter() - t0)
        return dt

    print(f"verification end to end in the GUI (button -> result shown), "
          f"{args.repeat} runs each; target <= {TARGET_S:.1f} s")
    first = once(PITTSBURGH / args.tests[0], "pulses")
    print(f"first run of the process ({args.tests[0]}, pulses, imports + first paint): "
          f"{first:.2f} s")
    worst = {"pulses": 0.0, "audio": 0.0}
    for test in args.tests:
        folder = PITTSBURGH / test
        for source in ("pulses", "audio"):
            audio_times.clear()
            times = [once(folder, source) for _ in range(args.repeat)]
            med = statistics.median(times)
            audio = statistics.median(audio_times)
            worst[source] = max(worst[source], med)
            flag = "" if med <= TARGET_S else "  OVER TARGET"
            print(f"  {test:14s} {source:6s}  median {med:5.2f} s  "
                  f"(min {min(times):.2f}, max {max(times):.2f}); audio in the player "
                  f"{audio:.2f} s{flag}")
    for source, w in worst.items():
        print(f"worst median from {source}: {w:.2f} s "
              f"({'within' if w <= TARGET_S else 'OVER'} target {TARGET_S:.1f} s)")
    view.shutdown()
    audio_pool().waitForDone(10_000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
