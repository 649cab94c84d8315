/* Live incident layer for the Mobile Alert Console map page.
 *
 * Python drives this page through a QWebChannel object named "bridge" (signals in,
 * slots out). Everything here is exposed as window.macMap for the widget and its tests.
 */
(function () {
  "use strict";

  const TYPE_COLOURS = {
    single_gunshot: "#d7263d",
    multiple_gunshots: "#a4133c",
    probable_gunfire: "#f46036",
    gunshot_or_firecracker: "#c98a00",
  };
  const CANCELLED_COLOUR = "#8a8a8a";
  // Shooter 1, 2, 3...: distinct hues that stay apart for colour-blind viewers.
  const SHOOTER_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9",
                           "#d55e00", "#f0e442", "#000000"];

  const incidents = new Map(); // id -> {payload, group, marker, circle, shots, track, heading}
  // Permanent labels cost a forced layout each on every zoom; with hundreds of incidents
  // only those in (or near) the view keep theirs open, at most MAX_LABELS of them.
  const MAX_LABELS = 60;
  let map = null;
  let tileLayer = null;
  let bridge = null;
  let selectedId = null;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function colourOf(p) {
    return p.review === "cancelled" ? CANCELLED_COLOUR : (TYPE_COLOURS[p.type] || TYPE_COLOURS.single_gunshot);
  }

  function shooterColour(n) {
    const i = Math.max(1, Math.floor(Number(n) || 1)) - 1;
    return SHOOTER_COLOURS[i % SHOOTER_COLOURS.length];
  }

  function markerClass(p, selected) {
    const cls = ["mac-incident", "mac-type-" + p.type, "mac-review-" + p.review];
    if (!p.acknowledged) cls.push("mac-unack");
    if (selected) cls.push("mac-selected");
    return cls.join(" ");
  }

  function markerIcon(p, selected) {
    const shots = (p.shots || []).length;
    const html = '<div class="mac-pin" data-mac-id="' + escapeHtml(p.id) + '" style="--mac-colour:' + colourOf(p) + '">' +
      '<span class="mac-glyph">' + (shots > 1 ? shots : "") + "</span></div>";
    return L.divIcon({ className: markerClass(p, selected), html: html,
                       iconSize: [30, 30], iconAnchor: [15, 15], tooltipAnchor: [14, 0] });
  }

  function headingText(mobile) {
    const heading = ((Math.round(Number(mobile.heading_deg)) % 360) + 360) % 360;
    return Number(mobile.speed_mps).toFixed(1) + " m/s \u2192 " + String(heading).padStart(3, "0") + "\u00b0";
  }

  function shotsInTimeOrder(p) {
    return (p.shots || []).slice().sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  }

  function buildIncident(p) {
    const colour = colourOf(p);
    const cancelled = p.review === "cancelled";
    const layers = {};
    layers.circle = L.circle([p.lat, p.lon], {
      radius: Math.max(0, Number(p.uncertainty_m) || 0), color: colour, weight: 1.5,
      opacity: cancelled ? 0.6 : 0.9, fillOpacity: cancelled ? 0.04 : 0.1,
      dashArray: cancelled ? "6 6" : (p.review === "machine" ? "2 5" : null),
      className: "mac-uncertainty",
    });
    const ordered = shotsInTimeOrder(p);
    if (p.mobile && ordered.length >= 2) {
      layers.track = L.polyline(ordered.map((s) => [s.lat, s.lon]), {
        color: colour, weight: 3, opacity: 0.85, dashArray: cancelled ? "6 6" : null,
        className: "mac-track",
      });
    }
    layers.shots = ordered.map((s) => L.circleMarker([s.lat, s.lon], {
      radius: 5, color: "#ffffff", weight: 1.5, fillColor: shooterColour(s.shooter),
      fillOpacity: cancelled ? 0.5 : 0.95, className: "mac-shot mac-shooter-" + (s.shooter || 1),
    }).bindTooltip("Shooter " + escapeHtml(s.shooter || 1) + " \u00b7 " + escapeHtml(s.time || ""),
                   { className: "mac-shot-tip" }));
    if (p.mobile) {
      const last = ordered.length ? ordered[ordered.length - 1] : p;
      const deg = Number(p.mobile.heading_deg) || 0;
      layers.heading = L.marker([last.lat, last.lon], {
        interactive: false, keyboard: false, zIndexOffset: 500,
        icon: L.divIcon({
          className: "mac-heading", iconSize: [0, 0], iconAnchor: [0, 0],
          html: '<div class="mac-arrow" style="transform: rotate(' + deg + 'deg); --mac-colour:' +
                colour + '"></div><div class="mac-speed">' + escapeHtml(headingText(p.mobile)) + "</div>",
        }),
      });
    }
    layers.marker = L.marker([p.lat, p.lon], { icon: markerIcon(p, p.id === selectedId),
                                               zIndexOffset: p.id === selectedId ? 1000 : 0 });
    if (p.label) {
      layers.marker.bindTooltip(escapeHtml(p.label), { permanent: true, direction: "right",
                                                       className: "mac-label" });
    }
    const all = [layers.circle].concat(layers.track ? [layers.track] : [], layers.shots,
                                       layers.heading ? [layers.heading] : [], [layers.marker]);
    layers.group = L.featureGroup(all);
    layers.group.on("click", () => { if (bridge) bridge.markerClicked(p.id); });
    layers.payload = p;
    return layers;
  }

  function upsert(p) {
    // Replace in place: an update keeps the incident's selection.
    const old = incidents.get(p.id);
    if (old) map.removeLayer(old.group);
    const entry = buildIncident(p);
    entry.group.addTo(map);
    incidents.set(p.id, entry);
    scheduleLabels();
  }

  function wantsLabel(entry, bounds) {
    return entry.payload.id === selectedId || bounds.contains(entry.marker.getLatLng());
  }

  function refreshLabels() {
    labelsPending = false;
    if (!map) return;
    const bounds = map.getBounds().pad(0.2);
    let open = 0;
    const wanted = [];
    for (const entry of incidents.values()) {
      if (!entry.marker.getTooltip()) continue;
      if (open < MAX_LABELS && wantsLabel(entry, bounds)) {
        open += 1;
        wanted.push(entry);
      } else if (entry.marker.isTooltipOpen()) {
        entry.marker.closeTooltip();
      }
    }
    for (const entry of wanted) if (!entry.marker.isTooltipOpen()) entry.marker.openTooltip();
  }

  let labelsPending = false;
  function scheduleLabels() {
    if (labelsPending) return;
    labelsPending = true;
    setTimeout(refreshLabels, 0);
  }

  function remove(id) {
    const entry = incidents.get(id);
    if (!entry) return;
    map.removeLayer(entry.group);
    incidents.delete(id);
    if (selectedId === id) selectedId = null;
  }

  function clear() {
    for (const id of Array.from(incidents.keys())) remove(id);
    selectedId = null;
  }

  function restyle(id, selected) {
    const entry = incidents.get(id);
    if (!entry) return;
    entry.marker.setIcon(markerIcon(entry.payload, selected));
    entry.marker.setZIndexOffset(selected ? 1000 : 0);
    if (selected) entry.circle.bringToFront();
  }

  function select(id, pan) {
    if (selectedId !== null && selectedId !== id) restyle(selectedId, false);
    const entry = incidents.get(id);
    selectedId = entry ? id : null;
    if (!entry) return;
    restyle(id, true);
    if (pan) requestPan(id);
    scheduleLabels();
  }

  // Auto-pan at most every PAN_MIN_MS: a burst of alerts fits the view to the newest one
  // once it settles instead of redrawing the map for each (the first pan is immediate).
  const PAN_MIN_MS = 250;
  let panId = null;
  let panTimer = null;
  let lastPan = -Infinity;

  function doPan() {
    panTimer = null;
    lastPan = performance.now();
    const entry = incidents.get(panId);
    if (entry) map.fitBounds(entry.group.getBounds().pad(0.25), { maxZoom: 18, animate: false });
  }

  function requestPan(id) {
    panId = id;
    if (panTimer !== null) return;
    const wait = lastPan + PAN_MIN_MS - performance.now();
    if (wait <= 0) doPan();
    else panTimer = setTimeout(doPan, wait);
  }

  function setTheme(name) {
    document.documentElement.classList.toggle("mac-night", name === "night");
  }

  function state(id) {
    const entry = incidents.get(id);
    if (!entry) return null;
    const p = entry.payload;
    const el = entry.marker.getElement();
    return {
      id: p.id, type: p.type, review: p.review, acknowledged: !!p.acknowledged,
      selected: selectedId === id, lat: entry.marker.getLatLng().lat, lon: entry.marker.getLatLng().lng,
      markerClass: el ? el.className : "", colour: colourOf(p),
      radius: entry.circle.getRadius(), circleDash: entry.circle.options.dashArray,
      shots: entry.shots.length,
      shotColours: entry.shots.map((s) => s.options.fillColor),
      track: entry.track ? entry.track.getLatLngs().length : 0,
      heading: entry.heading ? entry.heading.getElement().textContent : null,
      label: p.label || "", layers: entry.group.getLayers().length,
    };
  }

  function tileStatus() {
    return {
      loaded: document.querySelectorAll("img.leaflet-tile-loaded").length,
      loading: tileLayer ? tileLayer.isLoading() : true,
      zoom: map ? map.getZoom() : null,
    };
  }

  // -- verification layer: the locator's computed shots beside the alert's location --
  // Kept apart from the incident layer: one verification at a time, drawn on top.
  let verification = null; // {payload, group, shots: [circleMarker], circles: [circle]}

  function clearVerification() {
    if (verification) map.removeLayer(verification.group);
    verification = null;
    if (window.MAC_MAP_CONFIG) map.setMaxBounds(L.latLngBounds(window.MAC_MAP_CONFIG.bounds).pad(0.5));
  }

  function showVerification(v) {
    clearVerification();
    const layers = [];
    const entry = { payload: v, shots: [], circles: [] };
    if (v.reported) {
      layers.push(L.circle([v.reported.lat, v.reported.lon], {
        radius: Math.max(0, Number(v.reported.radius_m) || 0), color: "#d7263d", weight: 2,
        fillOpacity: 0.08, className: "mac-verify-reported",
      }), L.circleMarker([v.reported.lat, v.reported.lon], {
        radius: 6, color: "#d7263d", weight: 3, fillColor: "#ffffff", fillOpacity: 1,
        className: "mac-verify-reported-pin",
      }).bindTooltip("Reported location", { className: "mac-shot-tip" }));
    }
    layers.push(L.circle([v.computed.lat, v.computed.lon], {
      radius: Math.max(0, Number(v.computed.radius_m) || 0), color: "#0072b2", weight: 2,
      dashArray: "6 4", fillOpacity: 0.06, className: "mac-verify-computed",
    }));
    for (const s of v.shots || []) {
      const circle = L.circle([s.lat, s.lon], {
        radius: Math.max(0, Number(s.radius_m) || 0), color: shooterColour(s.shooter),
        weight: 1, fillOpacity: 0.05, className: "mac-verify-shot-circle",
      });
      const marker = L.circleMarker([s.lat, s.lon], {
        radius: 5, color: "#ffffff", weight: 1.5, fillColor: shooterColour(s.shooter),
        fillOpacity: 0.95, className: "mac-verify-shot",
      }).bindTooltip("Computed shot " + escapeHtml(s.index) + " \u00b7 shooter " +
                     escapeHtml(s.shooter || 1), { className: "mac-shot-tip" });
      entry.circles.push(circle);
      entry.shots.push(marker);
      layers.push(circle, marker);
    }
    const focus = L.featureGroup(layers.slice()); // the view fits these, not the sensors
    for (const p of v.sensors || []) { // only present for users allowed to see them
      layers.push(L.circleMarker([p.lat, p.lon], {
        radius: 4, color: "#555555", weight: 1, fillColor: "#bbbbbb", fillOpacity: 0.9,
        className: "mac-verify-sensor",
      }).bindTooltip(escapeHtml(p.label), { className: "mac-shot-tip" }));
    }
    if (v.reported) {
      entry.line = L.polyline([[v.reported.lat, v.reported.lon], [v.computed.lat, v.computed.lon]], {
        color: "#333333", weight: 2, dashArray: "4 4", className: "mac-verify-line",
      });
      if (v.distance_m !== null && v.distance_m !== undefined) {
        entry.line.bindTooltip(Number(v.distance_m).toFixed(0) + " m",
                               { permanent: true, direction: "right", offset: [14, 0], className: "mac-label" });
      }
      layers.push(entry.line);
      focus.addLayer(entry.line);
    }
    entry.group = L.featureGroup(layers).addTo(map);
    verification = entry;
    if (v.outside_pack) map.setMaxBounds(null); // no tiles there: allow the view anyway
    map.fitBounds(focus.getBounds().pad(0.3), { maxZoom: 19, animate: false });
  }

  function highlightShot(index) {
    if (!verification) return;
    verification.shots.forEach((m, i) => {
      const on = i === index;
      m.setStyle({ radius: on ? 10 : 5, weight: on ? 3 : 1.5, color: on ? "#000000" : "#ffffff" });
      if (on) m.bringToFront();
    });
  }

  function verificationState() {
    if (!verification) return null;
    const v = verification.payload;
    return {
      shots: verification.shots.length,
      highlighted: verification.shots.findIndex((m) => m.options.radius > 5),
      reported: !!v.reported, sensors: (v.sensors || []).length,
      distance: verification.line && verification.line.getTooltip() ?
        verification.line.getTooltip().getContent() : null,
      layers: verification.group.getLayers().length,
    };
  }

  window.macMap = {
    upsert, remove, clear, select, setTheme, state, tileStatus,
    showVerification, clearVerification, highlightShot, verificationState,
    listIncidents: () => Array.from(incidents, ([id, e]) => ({ id: id, layers: e.group.getLayers().length })),
    markerCount: () => document.querySelectorAll(".leaflet-marker-pane .mac-incident").length,
    simulateClick(id) {
      const entry = incidents.get(id);
      const el = entry && entry.marker.getElement();
      if (!el) return false;
      el.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, view: window }));
      return true;
    },
    tileUrl: () => (tileLayer ? tileLayer._url : null),
    theme: () => (document.documentElement.classList.contains("mac-night") ? "night" : "day"),
  };

  function connectBridge() {
    new QWebChannel(qt.webChannelTransport, (channel) => {
      bridge = channel.objects.bridge;
      bridge.incidentUpserted.connect((json) => upsert(JSON.parse(json)));
      bridge.incidentsUpserted.connect((json) => JSON.parse(json).forEach(upsert));
      bridge.incidentRemoved.connect(remove);
      bridge.cleared.connect(clear);
      bridge.incidentSelected.connect(select);
      bridge.themeChanged.connect(setTheme);
      if (bridge.verificationShown) {
        bridge.verificationShown.connect((json) => showVerification(JSON.parse(json)));
        bridge.verificationCleared.connect(clearVerification);
        bridge.shotHighlighted.connect(highlightShot);
      }
      // other layers (the canvass block below) take their own objects from the channel
      document.dispatchEvent(new CustomEvent("mac-channel", { detail: channel }));
      bridge.pageReady();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const config = window.MAC_MAP_CONFIG;
    map = window[config.mapVar];
    map.eachLayer((layer) => { if (layer instanceof L.TileLayer) tileLayer = layer; });
    map.setMaxBounds(L.latLngBounds(config.bounds).pad(0.5));
    map.on("moveend", scheduleLabels);
    window.macMap.map = map;
    if (typeof QWebChannel !== "undefined" && window.qt && qt.webChannelTransport) connectBridge();
  });
})();

/* Canvass layer: the neighbourhood canvass of one incident, kept apart from the incidents.
 *
 * Python drives it through the channel object "canvass" (QtAlertMap's canvass section):
 * the area outline, one dot per address coloured by its latest outcome, evidence pins and
 * a "visited / total" control. Pick modes let the officer draw the area (click the
 * corners, double-click to close) or tap where an evidence item lies.
 * Exposed as window.macCanvass for the widget and its tests.
 */
(function () {
  "use strict";

  const OUTCOME_COLOURS = {
    no_answer: "#8a8a8a", contacted_no_info: "#0072b2", heard_shots: "#d55e00",
    saw_something: "#cc79a7", camera_available: "#009e73", evidence_found: "#a4133c",
    refused: "#1b1b1b",
  };
  const EVIDENCE_GLYPHS = { casings: "C", weapon: "W", damage: "D", blood: "B", other: "?" };
  const CLOSE_PX = 4; // a click this close to the previous corner adds no new corner

  let map = null;
  let canvass = null; // {payload, group, area, dots: Map key->circleMarker, pins: []}
  let control = null;
  let pick = "";
  let draft = { points: [], line: null };
  let bridge = null;

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function progressControl() { // Leaflet may load after this file: build it on first use
    const div = L.DomUtil.create("div", "mac-canvass-progress leaflet-bar");
    L.DomEvent.disableClickPropagation(div);
    const ctl = L.control({ position: "topright" });
    ctl.onAdd = () => div;
    return ctl;
  }

  function dotStyle(outcome, selected) {
    const visited = !!outcome;
    return {
      radius: selected ? 9 : 6, weight: selected ? 3 : 2,
      color: selected ? "#1f6feb" : (visited ? "#ffffff" : "#1b1b1b"),
      fillColor: visited ? (OUTCOME_COLOURS[outcome] || "#555555") : "#ffffff",
      fillOpacity: visited ? 0.95 : 0.9,
    };
  }

  function evidenceIcon(e) {
    const count = e.count ? '<span class="mac-evidence-count">' + escapeHtml(e.count) + "</span>" : "";
    return L.divIcon({
      className: "mac-evidence mac-evidence-" + e.kind, iconSize: [26, 26], iconAnchor: [13, 26],
      html: '<div class="mac-evidence-pin"><span>' + (EVIDENCE_GLYPHS[e.kind] || "?") + "</span></div>" + count,
    });
  }

  function clearCanvass() {
    if (canvass) map.removeLayer(canvass.group);
    if (control) map.removeControl(control);
    canvass = null;
    control = null;
  }

  function setProgress(p) {
    if (!control) control = progressControl().addTo(map);
    control.getContainer().innerHTML = '<span class="mac-canvass-title">Canvass</span> ' +
      '<b class="mac-canvass-count">' + escapeHtml(p.visited) + " / " + escapeHtml(p.total) + "</b>";
  }

  function showCanvass(c) {
    const fit = !canvass || canvass.payload.incident_id !== c.incident_id || c.fit;
    clearCanvass();
    const entry = { payload: c, dots: new Map(), pins: [] };
    entry.area = L.polygon(c.outline, {
      color: "#1f6feb", weight: 2.5, dashArray: "8 5", fillOpacity: 0.05, interactive: false,
      className: "mac-canvass-area",
    });
    const layers = [entry.area];
    for (const a of c.addresses) {
      const dot = L.circleMarker([a.lat, a.lon], Object.assign(
        { className: "mac-canvass-dot" }, dotStyle(a.outcome, a.key === c.selected)))
        .bindTooltip(escapeHtml(a.label), { className: "mac-shot-tip" });
      dot.on("click", (ev) => {
        if (pick) onClick(tapOf(ev)); // layers swallow the map's click: pass it on
        else if (bridge) bridge.addressClicked(a.key);
      });
      dot.on("dblclick", onDoubleClick);
      entry.dots.set(a.key, dot);
      layers.push(dot);
    }
    for (const e of c.evidence || []) {
      const pin = L.marker([e.lat, e.lon], { icon: evidenceIcon(e), zIndexOffset: 800, keyboard: false })
        .bindTooltip(escapeHtml(e.label || e.kind), { className: "mac-shot-tip" });
      pin.on("click", (ev) => { if (pick) onClick(tapOf(ev)); });
      pin.on("dblclick", onDoubleClick);
      entry.pins.push(pin);
      layers.push(pin);
    }
    entry.group = L.featureGroup(layers).addTo(map);
    canvass = entry;
    setProgress(c.progress);
    if (fit) fitArea();
  }

  // The panel that asked for the canvass may still be opening beside the map: a resize
  // shortly after a fit fits the area again to the final size.
  const REFIT_MS = 1500;
  let fittedAt = -Infinity;

  function fitArea() {
    fittedAt = performance.now();
    map.fitBounds(canvass.area.getBounds().pad(0.1), { maxZoom: 19, animate: false });
  }

  function onResize() {
    if (canvass && performance.now() - fittedAt < REFIT_MS) {
      map.fitBounds(canvass.area.getBounds().pad(0.1), { maxZoom: 19, animate: false });
    }
  }

  // -- pick modes: "polygon" (draw the area) or "point" (place evidence) --
  function resetDraft() {
    if (draft.line) map.removeLayer(draft.line);
    draft = { points: [], line: null };
  }

  function setPick(mode) {
    pick = mode || "";
    resetDraft();
    map.getContainer().classList.toggle("mac-picking", !!pick);
    if (pick === "polygon") map.doubleClickZoom.disable();
    else map.doubleClickZoom.enable();
  }

  function tapOf(ev) { // where the finger was, not the centre of the dot it hit
    const e = ev.originalEvent;
    return { latlng: map.mouseEventToLatLng(e), containerPoint: map.mouseEventToContainerPoint(e) };
  }

  function onClick(ev) {
    if (pick === "point") {
      const at = ev.latlng;
      setPick("");
      if (bridge) bridge.pointPicked(at.lat, at.lng);
      return;
    }
    if (pick !== "polygon") return;
    const last = draft.points[draft.points.length - 1];
    if (last && map.latLngToContainerPoint(last).distanceTo(ev.containerPoint) < CLOSE_PX) return;
    draft.points.push(ev.latlng);
    if (!draft.line) {
      draft.line = L.polyline([], { color: "#1f6feb", weight: 3, dashArray: "4 4",
                                    className: "mac-canvass-draft", interactive: false }).addTo(map);
    }
    draft.line.setLatLngs(draft.points);
  }

  function onDoubleClick() {
    if (pick !== "polygon") return;
    const pts = draft.points.map((p) => [p.lat, p.lng]);
    if (pts.length < 3) return; // keep drawing
    setPick("");
    if (bridge) bridge.polygonDrawn(JSON.stringify(pts));
  }

  function state() {
    if (!canvass) return null;
    const dots = Array.from(canvass.dots, ([key, d]) => ({ key: key, fill: d.options.fillColor }));
    const el = control && control.getContainer().querySelector(".mac-canvass-count");
    return {
      incident_id: canvass.payload.incident_id, outline: canvass.area.getLatLngs()[0].length,
      dots: dots.length, visited: dots.filter((d) => d.fill !== "#ffffff").length,
      colours: Object.fromEntries(dots.map((d) => [d.key, d.fill])),
      evidence: canvass.pins.map((p) => ({ kind: p.getElement() ? p.getElement().className : "",
                                           lat: p.getLatLng().lat, lon: p.getLatLng().lng })),
      progress: el ? el.textContent : null, pick: pick, draft: draft.points.length,
    };
  }

  window.macCanvass = {
    show: showCanvass, clear: clearCanvass, setPick: setPick, state: state,
    pixelOf(lat, lon) { const p = map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; },
  };

  document.addEventListener("mac-channel", (ev) => {
    bridge = ev.detail.objects.canvass || null;
    if (!bridge) return;
    bridge.canvassShown.connect((json) => showCanvass(JSON.parse(json)));
    bridge.canvassCleared.connect(clearCanvass);
    bridge.pickModeChanged.connect(setPick);
  });

  document.addEventListener("DOMContentLoaded", () => {
    map = window[window.MAC_MAP_CONFIG.mapVar];
    map.on("click", onClick);
    map.on("dblclick", onDoubleClick);
    map.on("resize", onResize);
  });
})();
