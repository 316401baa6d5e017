// The public planning map: base map and layers from the catalogue, click for the report.
import { addMeasureControl } from "./measure.js";
import { parcelRings } from "./mvt.js";
import { stationSection } from "./stations.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const t = config.labels;
// The API answers in the page's language, not the browser's.
const apiHeaders = { Accept: "application/json", "Accept-Language": document.documentElement.lang };

// Permalink: #zoom/lat/lon in the address restores the view.
function viewFromHash() {
  const [zoom, lat, lon] = window.location.hash.slice(1).split("/").map(Number);
  return Number.isFinite(zoom) && Number.isFinite(lat) && Number.isFinite(lon) ? { zoom, center: [lat, lon] } : null;
}
const initial = viewFromHash() || config;
const map = L.map("map", { zoomControl: true }).setView(initial.center, initial.zoom);
map.on("moveend", () => {
  const c = map.getCenter();
  history.replaceState(null, "", `#${map.getZoom()}/${c.lat.toFixed(6)}/${c.lng.toFixed(6)}`);
});
window.addEventListener("hashchange", () => {
  const view = viewFromHash();
  if (view) map.setView(view.center, view.zoom);
});

// Coordinate read-out in WGS 84 and VN-2000 (proj4js, official 7-parameter shift).
const coords = document.getElementById("coords");
const toVn2000 = config.vn2000 ? proj4("EPSG:4326", config.vn2000.proj4) : null;
map.on("mousemove", (event) => {
  const { lat, lng } = event.latlng;
  let text = `${lat.toFixed(6)}, ${lng.toFixed(6)}`;
  if (toVn2000) {
    const [x, y] = toVn2000.forward([lng, lat]);
    text += ` · VN-2000 X ${x.toFixed(2)} Y ${y.toFixed(2)}`;
  }
  coords.textContent = text;
});
L.control.scale({ imperial: false }).addTo(map);

const layers = {};

// Map tools: full screen, locate me, measuring, print, export of the view.
new L.Control.FullScreen({
  title: t.fullscreen, titleCancel: t.fullscreen_exit, forceSeparateButton: true,
}).addTo(map);
const notice = document.getElementById("map-notice");
L.control.locate({
  strings: { title: t.locate, outsideMapBoundsMsg: t.locate_error },
  flyTo: false,
  showPopup: false,
  onLocationError: () => { notice.textContent = t.locate_error; },
  onLocationOutsideMapBounds: () => { notice.textContent = t.locate_error; },
}).addTo(map);
const measure = addMeasureControl(map, t);

function toolButton(text, label, className) {
  const element = Object.assign(document.createElement("button"), { type: "button", textContent: text, title: label, className });
  element.setAttribute("aria-label", label);
  return element;
}
const ToolsControl = L.Control.extend({
  options: { position: "topleft" },
  onAdd() {
    const box = L.DomUtil.create("div", "leaflet-bar tools");
    const print = toolButton("⎙", t.print_map, "print");
    print.addEventListener("click", () => window.print());
    const exported = Object.assign(document.createElement("a"), { textContent: "⤓", title: t.export_view, className: "export" });
    exported.setAttribute("aria-label", t.export_view);
    exported.setAttribute("download", "");
    exported.href = exportUrl();
    // The view changes: the link follows, so it is right when followed from the keyboard too.
    map.on("moveend overlayadd overlayremove layeradd layerremove", () => { exported.href = exportUrl(); });
    box.append(print, exported);
    L.DomEvent.disableClickPropagation(box);
    return box;
  },
});
new ToolsControl().addTo(map);

function exportUrl() {
  const c = map.getCenter();
  const visible = Object.keys(layers).filter((key) => map.hasLayer(layers[key]));
  const params = new URLSearchParams({
    lat: c.lat.toFixed(6), lon: c.lng.toFixed(6), zoom: map.getZoom(), layers: visible.join(","),
  });
  return `/export/map.html?${params}`;
}

function legendList(entries, title) {
  const list = document.createElement("ul");
  list.className = "legend";
  // Long legends scroll: keyboard users must be able to reach them too.
  list.tabIndex = 0;
  list.setAttribute("aria-label", `${t.legend}: ${title}`);
  for (const entry of entries) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = entry.fill || "transparent";
    swatch.style.borderColor = entry.stroke || "#555";
    item.append(swatch, document.createTextNode(entry.label));
    list.append(item);
  }
  return list;
}

function addLayerControl(parent, layer) {
  const box = document.createElement("div");
  box.className = "layer";
  const id = `layer-${layer.key}`;
  const check = Object.assign(document.createElement("input"), { type: "checkbox", id, checked: layer.visible });
  const label = Object.assign(document.createElement("label"), { htmlFor: id, textContent: layer.title });
  const opacity = Object.assign(document.createElement("input"), {
    type: "range", min: 0, max: 1, step: 0.05, value: 1,
  });
  opacity.setAttribute("aria-label", `${t.opacity}: ${layer.title}`);
  const tiles = L.tileLayer(layer.tiles.wmts, { minZoom: 8, maxZoom: 20, maxNativeZoom: 20 });
  layers[layer.key] = tiles;
  if (layer.visible) tiles.addTo(map);
  check.addEventListener("change", () => (check.checked ? tiles.addTo(map) : tiles.remove()));
  opacity.addEventListener("input", () => tiles.setOpacity(Number(opacity.value)));
  box.append(check, label, opacity, legendList(layer.legend, layer.title));
  parent.append(box);
}

async function buildLayerTree() {
  const tree = document.getElementById("layer-tree");
  const heading = Object.assign(document.createElement("h2"), { textContent: t.layers });
  tree.append(heading);
  L.tileLayer("/tiles/wmts/basemap/webmercator/{z}/{x}/{y}.png", { maxZoom: 20 }).addTo(map);
  const response = await fetch("/api/layers/", { headers: apiHeaders });
  const catalogue = await response.json();
  const groups = new Map();
  for (const layer of catalogue.layers) {
    if (!layer.tiles) continue;
    if (!groups.has(layer.group.key)) {
      const section = document.createElement("section");
      section.className = "group";
      section.append(Object.assign(document.createElement("h3"), { textContent: layer.group.title }));
      tree.append(section);
      groups.set(layer.group.key, section);
    }
    addLayerControl(groups.get(layer.group.key), layer);
  }
}

function fmt(value, digits = 1) {
  return value === null || value === undefined ? "—" : Number(value).toLocaleString(document.documentElement.lang, { maximumFractionDigits: digits });
}

function row(dl, term, value) {
  dl.append(Object.assign(document.createElement("dt"), { textContent: term }));
  dl.append(Object.assign(document.createElement("dd"), { textContent: value }));
}

function renderReport(data) {
  const panel = document.getElementById("report");
  panel.replaceChildren();
  panel.className = "panel report";
  const close = Object.assign(document.createElement("button"), { className: "close", textContent: "×" });
  close.setAttribute("aria-label", t.close);
  close.addEventListener("click", () => { panel.hidden = true; map.invalidateSize(); });
  const p = data.parcel;
  const title = Object.assign(document.createElement("h2"), {
    textContent: `${t.parcel}: ${p.commune.name} — ${t.sheet} ${p.sheet}, ${t.number} ${p.number}`,
  });
  const dl = document.createElement("dl");
  row(dl, t.legal_area, `${fmt(p.area_m2)} m²`);
  row(dl, t.land_use, `${p.land_use_codes} — ${p.land_use.name}`);
  const print = Object.assign(document.createElement("a"), {
    href: `/report/${p.id}/`, target: "_blank", rel: "noopener", textContent: t.print,
  });
  const pdf = Object.assign(document.createElement("a"), {
    href: `/api/planning-report/?parcel=${p.id}&format=pdf`, textContent: t.certificate, className: "button",
  });
  pdf.setAttribute("download", "");
  const links = document.createElement("p");
  links.className = "report-links";
  links.append(print, pdf);
  panel.append(close, title, dl, links);

  panel.append(Object.assign(document.createElement("h2"), { textContent: t.zoning }));
  if (data.zoning.length === 0) {
    panel.append(Object.assign(document.createElement("p"), { textContent: t.no_zoning }));
  } else {
    const bar = document.createElement("div");
    bar.className = "sharebar";
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", data.zoning.map((z) => `${z.zone}: ${Math.round(z.share * 100)}%`).join(", "));
    panel.append(bar);
    const palette = ["#0b4f6c", "#f4a259", "#5b8e7d", "#bc4b51", "#8cb369"];
    data.zoning.forEach((zone, index) => {
      const part = document.createElement("span");
      part.style.width = `${zone.share * 100}%`;
      part.style.background = palette[index % palette.length];
      bar.append(part);
      const box = document.createElement("div");
      box.className = "zone";
      const zdl = document.createElement("dl");
      row(zdl, t.zone, `${zone.zone} (${zone.land_use.code} — ${zone.land_use.name})`);
      row(zdl, t.area, `${fmt(zone.area_m2)} m² — ${fmt(zone.share * 100, 0)}% ${t.share}`);
      row(zdl, t.coverage, zone.max_coverage === null ? "—" : `${fmt(zone.max_coverage * 100, 0)}%`);
      row(zdl, t.floors, fmt(zone.max_floors, 0));
      row(zdl, t.height, zone.max_height_m === null ? "—" : `${fmt(zone.max_height_m)} m`);
      row(zdl, t.far, fmt(zone.max_far, 2));
      row(zdl, t.decision, `${zone.plan.decision} (${zone.plan.approved_on || "—"})`);
      box.append(zdl);
      panel.append(box);
    });
  }
  panel.append(Object.assign(document.createElement("h2"), { textContent: t.red_line }));
  panel.append(Object.assign(document.createElement("p"), {
    textContent: data.red_line.affected ? `${t.red_line_cut}: ${fmt(data.red_line.area_m2)} m²` : t.not_affected,
  }));
  panel.append(Object.assign(document.createElement("h2"), { textContent: t.constraints }));
  if (data.constraints.length === 0) {
    panel.append(Object.assign(document.createElement("p"), { textContent: t.none }));
  } else {
    const list = document.createElement("ul");
    for (const c of data.constraints) {
      const item = document.createElement("li");
      item.textContent = `${c.name}: ${fmt(c.area_m2)} m²${c.no_build ? ` (${t.no_build})` : ""}`;
      list.append(item);
    }
    panel.append(list);
  }
  panel.hidden = false;
  map.invalidateSize();
}

let highlight = null;

async function showReport(query, latlng) {
  const panel = document.getElementById("report");
  panel.hidden = false;
  panel.className = "panel report";
  panel.textContent = t.loading;
  const response = await fetch(`/api/planning-report/?${query}`, { headers: apiHeaders });
  if (response.status === 404) {
    panel.textContent = t.no_parcel;
    return;
  }
  if (!response.ok) {
    panel.textContent = t.error;
    return;
  }
  const report = await response.json();
  renderReport(report);
  // Outline the parcel itself: from our vector tile, or its public GeoJSON record when
  // the tile clips it (a parcel across a tile edge).
  const p = report.parcel;
  const style = { color: "#e31a1c", weight: 3, fill: false, interactive: false };
  const rings = await parcelRings(p.id, latlng).catch(() => null);
  if (highlight) highlight.remove();
  if (rings) {
    highlight = L.polygon(rings.map((ring) => [ring]), style).addTo(map);
    return;
  }
  const outline = await fetch(
    `/api/parcels/?commune=${encodeURIComponent(p.commune.code)}&sheet=${p.sheet}&number=${p.number}`,
    { headers: apiHeaders },
  );
  highlight = outline.ok
    ? L.geoJSON(await outline.json(), { style }).addTo(map)
    : L.circleMarker(latlng, { radius: 6, color: "#e31a1c" }).addTo(map);
}

function renderIdentify(data) {
  const items = [
    ...data.roads.map((r) => `${r.name || r.code} — ${r.road_class_label}` +
      (r.width_m ? `, ${fmt(r.width_m)} m` : "") +
      (r.planned_width_m ? ` (${t.planned_width}: ${fmt(r.planned_width_m)} m)` : "")),
    ...data.environment_zones.map((z) => `${z.name} — ${z.kind_label}` +
      (z.no_build ? ` (${t.no_build})` : "") + (z.legal_basis ? `; ${z.legal_basis}` : "")),
  ];
  if (items.length === 0 && data.monitoring_stations.length === 0) return;
  const panel = document.getElementById("report");
  panel.append(Object.assign(document.createElement("h2"), { textContent: t.here }));
  const list = document.createElement("ul");
  list.className = "identify";
  for (const text of items) list.append(Object.assign(document.createElement("li"), { textContent: text }));
  if (items.length) panel.append(list);
  for (const station of data.monitoring_stations) panel.append(stationSection(station, t, fmt));
}

map.on("click", async (event) => {
  if (measure.isActive()) return; // the click adds a measuring point
  const { lat, lng } = event.latlng;
  const where = `lon=${lng.toFixed(7)}&lat=${lat.toFixed(7)}`;
  await showReport(where, event.latlng);
  const response = await fetch(`/api/identify/?${where}&zoom=${map.getZoom()}`, { headers: apiHeaders });
  if (response.ok) renderIdentify(await response.json());
});

const searchForm = document.getElementById("search");
const searchList = document.getElementById("search-results");
searchForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = new FormData(searchForm).get("q").trim();
  if (!q) return;
  const response = await fetch(`/api/search/?q=${encodeURIComponent(q)}`, { headers: apiHeaders });
  const { results } = await response.json();
  searchList.replaceChildren();
  if (results.length === 0) {
    const empty = Object.assign(document.createElement("li"), { textContent: t.no_results });
    searchList.append(empty);
  }
  for (const hit of results) {
    const item = document.createElement("li");
    item.setAttribute("role", "option");
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: hit.label });
    button.addEventListener("click", () => {
      searchList.hidden = true;
      const latlng = L.latLng(hit.lat, hit.lon);
      map.setView(latlng, hit.zoom);
      if (hit.kind === "parcel") showReport(`parcel=${hit.id}`, latlng);
    });
    item.append(button);
    searchList.append(item);
  }
  searchList.hidden = false;
  searchList.querySelector("button")?.focus();
});

buildLayerTree();
window.quyhoach = { map, measure }; // for tests and the browser console
