"""Incident report rendering: the report's content (no Qt) and its PDF (QtGui only).

``model`` holds the plain report data, ``html`` lays it out as rich text, ``images``
paints the map snapshot and the waveform, ``pdf`` paginates it with a footer and an
optional watermark on every page. Gathering the data from the store and checking who may
export is the service's job (:mod:`console.services.reports`).
"""
