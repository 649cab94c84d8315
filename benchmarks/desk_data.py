"""The desk's bulk history generator, for benchmarks and tests: see :mod:`console.demo.history`."""

from console.demo.history import BBOX, DISTRICTS, DeskData, area_of, generate

__all__ = ["BBOX", "DISTRICTS", "DeskData", "area_of", "generate"]
