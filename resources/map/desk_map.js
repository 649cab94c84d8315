/* Desk history map: tens of thousands of incidents as clusters or a heat map, the
 * selected incident, and a search area drawn by clicking its corners.
 *
 * Python (console/ui/desk/desk_map.py) drives the page through the QWebChannel object
 * "desk". Points arrive as compact column arrays and are clustered in chunks so the page
 * stays responsive. Exposed as window.macDesk for the widget and its tests.
 */
(function () {
  "use strict";

  const TYPE_COLOURS = {
    single_gunshot: "#d7263d",
    multiple_gunshots: "#a4133c",
    probable_gunfire: "#f46036",
    gunshot_or_firecracker: "#c98a00",
  };
  const OTHER_COLOUR = "#555555";
  const TYPE_LABELS = {
    single_gunshot: "Single gunshot", multiple_gunshots: "Multiple gunshots",
    probable_gunfire: "Probable gunfire", gunshot_or_firecracker: "Gunshot or firecracker",
  };
  // From this zoom every incident is its own dot (street level: a block fills the view).
  // Each zoom level clustered costs about as much as another pass over all the points.
  const CLUSTER_OFF_ZOOM = 18;
  const SELECT_ZOOM = 17; // a selection far out zooms in this far
  const CLOSE_PX = 4; // a click this close to the previous corner adds no corner

  const config = window.MAC_DESK_CONFIG;
  let map = null;
  let tiles = null;
  let bridge = null;

  // -- points --------------------------------------------------------------------
  let cluster = null;
  let heat = null;
  let showMarkers = true;
  let showHeat = false;
  let points = { ids: [], lats: [], lons: [], types: [], names: [] };
  let markers = [];
  let byId = new Map();
  let loading = null; // {token, started}
  let lastDraw = null; // {token, count, ms}
  const icons = {};

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function colourOf(type) { return TYPE_COLOURS[type] || OTHER_COLOUR; }

  function iconOf(type) {
    if (!icons[type]) {
      icons[type] = L.divIcon({
        className: "mac-desk-dot mac-type-" + type, iconSize: [12, 12], iconAnchor: [6, 6],
        html: '<div style="--mac-colour:' + colourOf(type) + '"></div>',
      });
    }
    return icons[type];
  }

  function clusterIcon(c) {
    const n = c.getChildCount();
    const size = n < 100 ? "s" : (n < 1000 ? "m" : "l");
    const px = n < 100 ? 32 : (n < 1000 ? 38 : 46);
    return L.divIcon({ className: "mac-desk-cluster mac-desk-cluster-" + size,
                       html: "<div>" + n + "</div>", iconSize: [px, px] });
  }

  function newCluster(token, expected) {
    // Only the call that adds all `expected` markers counts: adding the group to the map
    // also reports progress (0 of 0) for the markers queued before.
    const progress = (done, total) => {
      if (total !== expected) return;
      if (done === total) drawn(token);
      else if (bridge) bridge.pointsProgress(token, done, total);
    };
    const group = L.markerClusterGroup({
      chunkedLoading: true, chunkInterval: 120, chunkDelay: 5,
      chunkProgress: progress, disableClusteringAtZoom: CLUSTER_OFF_ZOOM,
      maxClusterRadius: 60, showCoverageOnHover: false, spiderfyOnMaxZoom: false,
      animate: false, removeOutsideVisibleBounds: true, iconCreateFunction: clusterIcon,
    });
    group.on("click", (ev) => {
      const i = ev.layer && ev.layer.macIndex;
      if (i !== undefined && bridge) bridge.markerClicked(points.ids[i]);
    });
    return group;
  }

  function drawn(token) {
    if (!loading || loading.token !== token) return;
    const started = loading.started;
    loading = null;
    if (showHeat) drawHeat();
    // two frames later the clusters are on screen, not just in the DOM
    requestAnimationFrame(() => requestAnimationFrame(() => {
      lastDraw = { token: token, count: markers.length, ms: performance.now() - started };
      if (bridge) bridge.pointsDrawn(token, markers.length);
    }));
  }

  function setPoints(json, token) {
    const started = performance.now();
    const p = JSON.parse(json);
    p.token = token || 0;
    if (cluster) map.removeLayer(cluster); // a fresh group beats clearLayers() on 50k markers
    cluster = newCluster(p.token, p.ids.length);
    points = p;
    markers = new Array(p.ids.length);
    byId = new Map();
    for (let i = 0; i < p.ids.length; i++) {
      const m = L.marker([p.lats[i], p.lons[i]], { icon: iconOf(p.names[p.types[i]]), keyboard: false });
      m.macIndex = i;
      markers[i] = m;
      byId.set(p.ids[i], i);
    }
    loading = { token: p.token, started: started };
    if (showMarkers) {
      cluster.addTo(map);
      cluster.addLayers(markers);
    }
    if (!showMarkers || !markers.length) drawn(p.token);
    if (selectedId !== null) select(selectedId, false);
  }

  // Points are fetched, not pushed through the channel: a year of incidents is megabytes
  // of JSON. Only the newest request is drawn; an older answer arriving late is dropped.
  let wanted = 0;
  function fetchPoints(url, token) {
    wanted = token;
    const xhr = new XMLHttpRequest(); // fetch() refuses custom schemes; XHR takes app://
    xhr.open("GET", url);
    xhr.onload = () => { if (token === wanted && xhr.responseText) setPoints(xhr.responseText, token); };
    xhr.send(); // a failure means newer points replaced these before they were read
  }

  function heatPoints() {
    const out = new Array(points.ids.length);
    for (let i = 0; i < out.length; i++) out[i] = [points.lats[i], points.lons[i], 1];
    return out;
  }

  // The heat scale follows the data: the densest few per cent of cells in view are red,
  // whether the view holds a quiet month or a year in a busy district.
  const HEAT_TOP_SHARE = 0.03;

  function cellCounts(layer) {
    const cell = layer._heat._r / 2;
    const size = map.getSize();
    const counts = new Map();
    for (let i = 0; i < points.ids.length; i++) {
      const p = map.latLngToContainerPoint([points.lats[i], points.lons[i]]);
      if (p.x < 0 || p.y < 0 || p.x > size.x || p.y > size.y) continue;
      const key = Math.floor(p.x / cell) * 100003 + Math.floor(p.y / cell);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    return Array.from(counts.values()).sort((x, y) => x - y);
  }

  const AdaptiveHeat = L.HeatLayer.extend({
    _redraw() {
      const counts = cellCounts(this);
      const top = counts.length ? counts[Math.floor((counts.length - 1) * (1 - HEAT_TOP_SHARE))] : 1;
      this.options.max = Math.max(1, top);
      this._heat.max(this.options.max);
      L.HeatLayer.prototype._redraw.call(this);
    },
  });

  function drawHeat() {
    if (!heat) {
      heat = new AdaptiveHeat([], {
        radius: 16, blur: 14, minOpacity: 0.3, maxZoom: config.minZoom,
        gradient: { 0.25: "#2c7bb6", 0.5: "#abd9e9", 0.7: "#ffffbf", 0.85: "#fdae61", 1: "#d7191c" },
      });
    }
    heat.setLatLngs(heatPoints());
    if (!map.hasLayer(heat)) heat.addTo(map);
  }

  function setHeat(on) {
    showHeat = !!on;
    if (showHeat) drawHeat();
    else if (heat && map.hasLayer(heat)) map.removeLayer(heat);
  }

  function setMarkers(on) {
    const was = showMarkers;
    showMarkers = !!on;
    if (!cluster || was === showMarkers) return;
    if (showMarkers) {
      cluster.addTo(map);
      if (!cluster.getLayers().length && markers.length) cluster.addLayers(markers);
    } else {
      map.removeLayer(cluster);
    }
  }

  function fitPoints() {
    if (!markers.length) return false;
    let s = Infinity, w = Infinity, n = -Infinity, e = -Infinity;
    for (let i = 0; i < markers.length; i++) {
      const la = points.lats[i], lo = points.lons[i];
      if (la < s) s = la; if (la > n) n = la; if (lo < w) w = lo; if (lo > e) e = lo;
    }
    map.fitBounds(L.latLngBounds([s, w], [n, e]).pad(0.05), { maxZoom: SELECT_ZOOM, animate: false });
    return true;
  }

  // -- selection -------------------------------------------------------------------
  let selectedId = null;
  let ring = null;

  function select(id, pan) {
    selectedId = id || null;
    if (ring) { map.removeLayer(ring); ring = null; }
    const i = selectedId === null ? undefined : byId.get(selectedId);
    if (i === undefined) return false;
    const at = L.latLng(points.lats[i], points.lons[i]);
    // the ring and a dot of its own: a clustered incident shows through its cluster
    ring = L.featureGroup([
      L.circleMarker(at, { pane: "macHighlight", radius: 14, weight: 4, color: "#1f6feb",
                           fill: true, fillColor: "#ffffff", fillOpacity: 0.55, interactive: false,
                           className: "mac-desk-highlight" }),
      L.circleMarker(at, { pane: "macHighlight", radius: 6, weight: 2, color: "#ffffff",
                           fillColor: colourOf(points.names[points.types[i]]), fillOpacity: 1,
                           interactive: false, className: "mac-desk-selected-dot" }),
    ]).addTo(map);
    ring.macAt = at;
    if (pan) {
      if (map.getZoom() < SELECT_ZOOM - 1) map.setView(at, SELECT_ZOOM, { animate: false });
      else map.panTo(at, { animate: false });
    }
    return true;
  }

  // -- the drawn search area -----------------------------------------------------------
  let drawing = false;
  let draft = [];
  let draftLine = null;
  let area = null;
  let drawBar = null;

  function drawBarControl() {
    const ctl = L.control({ position: "topright" });
    ctl.onAdd = () => {
      const div = L.DomUtil.create("div", "mac-desk-draw-bar leaflet-bar");
      div.innerHTML = '<span class="mac-desk-draw-hint"></span>' +
        '<button type="button" class="mac-desk-finish" title="Enter">Finish area</button>' +
        '<button type="button" class="mac-desk-cancel" title="Esc">Cancel</button>';
      L.DomEvent.disableClickPropagation(div);
      div.querySelector(".mac-desk-finish").addEventListener("click", finishDrawing);
      div.querySelector(".mac-desk-cancel").addEventListener("click", () => cancelDrawing(true));
      return div;
    };
    return ctl;
  }

  function updateDrawBar() {
    if (!drawBar) return;
    const div = drawBar.getContainer();
    div.querySelector(".mac-desk-draw-hint").textContent = draft.length < 3 ?
      "Click the corners of the area (" + draft.length + " so far)" :
      draft.length + " corners \u2014 double-click or";
    div.querySelector(".mac-desk-finish").disabled = draft.length < 3;
  }

  function startDrawing() {
    cancelDrawing(false);
    drawing = true;
    map.getContainer().classList.add("mac-desk-drawing");
    map.doubleClickZoom.disable();
    drawBar = drawBarControl().addTo(map);
    updateDrawBar();
  }

  function endDrawing() {
    drawing = false;
    draft = [];
    if (draftLine) { map.removeLayer(draftLine); draftLine = null; }
    if (drawBar) { map.removeControl(drawBar); drawBar = null; }
    map.getContainer().classList.remove("mac-desk-drawing");
    map.doubleClickZoom.enable();
  }

  function cancelDrawing(report) {
    if (!drawing) return;
    endDrawing();
    if (report && bridge) bridge.drawingCancelled();
  }

  function addCorner(latlng, containerPoint) {
    const last = draft[draft.length - 1];
    if (last && map.latLngToContainerPoint(last).distanceTo(containerPoint) < CLOSE_PX) return;
    draft.push(latlng);
    if (!draftLine) {
      draftLine = L.polyline([], { color: "#1f6feb", weight: 3, dashArray: "4 4",
                                   interactive: false, className: "mac-desk-draft" }).addTo(map);
    }
    draftLine.setLatLngs(draft);
    updateDrawBar();
  }

  function finishDrawing() {
    if (!drawing || draft.length < 3) return false;
    const ring = draft.map((p) => [p.lat, p.lng]);
    endDrawing();
    showArea(ring);
    if (bridge) bridge.polygonDrawn(JSON.stringify(ring));
    return true;
  }

  function showArea(ring) {
    if (area) { map.removeLayer(area); area = null; }
    if (!ring || ring.length < 3) return;
    area = L.polygon(ring, { color: "#1f6feb", weight: 2.5, dashArray: "8 5", fillOpacity: 0.06,
                             interactive: false, className: "mac-desk-area" }).addTo(map);
  }

  // -- legend ------------------------------------------------------------------------
  function legendControl() {
    const ctl = L.control({ position: "bottomleft" });
    ctl.onAdd = () => {
      const div = L.DomUtil.create("div", "mac-desk-legend leaflet-bar");
      div.innerHTML = Object.keys(TYPE_LABELS).map((t) =>
        '<div><i style="--mac-colour:' + colourOf(t) + '"></i>' + escapeHtml(TYPE_LABELS[t]) + "</div>").join("");
      return div;
    };
    return ctl;
  }

  // -- state for the widget and tests ------------------------------------------------
  function state() {
    const visible = cluster && map.hasLayer(cluster) ? cluster._featureGroup.getLayers() : [];
    let clusters = 0, single = 0, total = 0;
    for (const layer of visible) {
      if (layer instanceof L.MarkerCluster) { clusters += 1; total += layer.getChildCount(); }
      else { single += 1; total += 1; }
    }
    return {
      points: markers.length, clustered: cluster ? cluster.getLayers().length : 0,
      visibleClusters: clusters, visibleMarkers: single, visibleTotal: total,
      loading: loading !== null, lastDraw: lastDraw,
      heat: !!(heat && map.hasLayer(heat)), heatPoints: heat ? heat._latlngs.length : 0,
      markers: showMarkers, selected: selectedId,
      ring: ring ? [ring.macAt.lat, ring.macAt.lng] : null,
      drawing: drawing, draft: draft.length,
      area: area ? area.getLatLngs()[0].map((p) => [p.lat, p.lng]) : null,
      zoom: map.getZoom(), center: [map.getCenter().lat, map.getCenter().lng],
    };
  }

  function tileStatus() {
    return { loaded: document.querySelectorAll("img.leaflet-tile-loaded").length,
             loading: tiles ? tiles.isLoading() : true };
  }

  function markerElement(id) {
    const i = byId.get(id);
    const m = i === undefined ? null : markers[i];
    return m && m._icon ? m._icon : null;
  }

  window.macDesk = {
    setPoints, setHeat, setMarkers, fitPoints, select, startDrawing, finishDrawing,
    cancelDrawing: () => cancelDrawing(true), showArea, state, tileStatus,
    /* zoom in until an incident is its own dot; its pixel in the map, or null */
    reveal(id) {
      const i = byId.get(id);
      if (i === undefined) return null;
      map.setView([points.lats[i], points.lons[i]], CLUSTER_OFF_ZOOM, { animate: false });
      if (!markerElement(id)) return null;
      const p = map.latLngToContainerPoint([points.lats[i], points.lons[i]]);
      return [p.x, p.y];
    },
    /* click what the user would click: the dot of an incident */
    clickIncident(id) {
      if (!window.macDesk.reveal(id)) return false;
      markerElement(id).dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true,
                                                                view: window }));
      return true;
    },
    pixelOf(lat, lon) { const p = map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; },
    drawBarElement: () => (drawBar ? drawBar.getContainer() : null),
  };

  function connectBridge() {
    new QWebChannel(qt.webChannelTransport, (channel) => {
      bridge = channel.objects.desk;
      bridge.pointsReady.connect(fetchPoints);
      bridge.heatShown.connect(setHeat);
      bridge.markersShown.connect(setMarkers);
      bridge.selectionChanged.connect(select);
      bridge.fitRequested.connect(fitPoints);
      bridge.drawingRequested.connect((on) => (on ? startDrawing() : cancelDrawing(false)));
      bridge.areaShown.connect((json) => showArea(JSON.parse(json)));
      bridge.pageReady();
    });
  }

  // Zooming out further than the pack fitting a small window shows a postage stamp, and
  // would cost the clustering one more level: a city pack keeps its own minimum.
  function minZoomFor(bounds) {
    const fit = L.CRS.EPSG3857;
    const sw = fit.latLngToPoint(L.latLng(bounds[0]), 0);
    const ne = fit.latLngToPoint(L.latLng(bounds[1]), 0);
    const span = Math.max(Math.abs(ne.x - sw.x), Math.abs(ne.y - sw.y));
    const zoom = Math.floor(Math.log2(480 / span)) - 1;
    return Math.min(Math.max(config.minZoom, zoom), config.maxNativeZoom);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const b = config.bounds; // [[s, w], [n, e]]
    map = L.map("map", { zoomControl: true, minZoom: minZoomFor(b), maxZoom: config.maxZoom,
                         fadeAnimation: false, zoomAnimation: false, markerZoomAnimation: false,
                         maxBounds: L.latLngBounds(b).pad(0.5) });
    map.createPane("macHighlight").style.zIndex = 650;
    map.getPane("macHighlight").style.pointerEvents = "none";
    tiles = L.tileLayer(config.tiles, {
      attribution: config.attribution, minZoom: config.minZoom, maxZoom: config.maxZoom,
      maxNativeZoom: config.maxNativeZoom, bounds: b,
    }).addTo(map);
    map.fitBounds(b, { animate: false });
    L.control.scale({ imperial: false }).addTo(map);
    legendControl().addTo(map);
    map.on("click", (ev) => { if (drawing) addCorner(ev.latlng, ev.containerPoint); });
    map.on("dblclick", () => { if (drawing) finishDrawing(); });
    document.addEventListener("keydown", (ev) => {
      if (!drawing) return;
      if (ev.key === "Escape") cancelDrawing(true);
      else if (ev.key === "Enter") finishDrawing();
    });
    window.macDesk.map = map;
    if (typeof QWebChannel !== "undefined" && window.qt && qt.webChannelTransport) connectBridge();
  });
})();
