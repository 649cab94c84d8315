"""Incident audio without Qt: decoding clips, the playback engine, spectrograms, pulse markers."""
