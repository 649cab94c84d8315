"""Demo alert service: simulated incidents over the demo map, located and published."""

from __future__ import annotations

from console.demo.publisher import DEMO_BBOX, DEMO_TOKEN, build_demo_alert, run_demo_publisher

__all__ = ["DEMO_BBOX", "DEMO_TOKEN", "build_demo_alert", "run_demo_publisher"]
