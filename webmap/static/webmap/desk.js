// The permit page of the officer's desk: map (parcel, footprint, zoning, red lines,
// constraints), draw or upload the footprint, run the compliance check, record a decision.
const config = JSON.parse(document.getElementById("desk-config").textContent);
const t = config.labels;
const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
const lang = document.documentElement.lang;

async function api(url, method, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Accept-Language": lang,
      "Content-Type": "application/json",
      "X-CSRFToken": csrf,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const detail = data && (data.detail || JSON.stringify(data.errors || data));
    throw new Error(detail || `${t.error} (${response.status})`);
  }
  return data;
}

// --- Map --------------------------------------------------------------------------------
const map = L.map("permit-map", { zoomControl: true });
window.quyhoachDesk = { map };
// MapProxy's GLOBAL_WEBMERCATOR grid ends at level 19: deeper zooms enlarge its tiles.
L.tileLayer("/tiles/wmts/basemap/webmercator/{z}/{x}/{y}.png", { maxZoom: 22, maxNativeZoom: 20 }).addTo(map);

const styles = {
  zoning: (f) => ({ color: "#555", weight: 1, fillColor: f.properties.color || "#ccc", fillOpacity: 0.35 }),
  parcels: () => ({ color: "#7a4a2a", weight: 2, fill: false }),
  red_lines: () => ({ color: "#e31a1c", weight: 2, dashArray: "8 4", fillOpacity: 0.1 }),
  constraints: (f) => ({ color: "#1f78b4", weight: 1, fillOpacity: f.properties.no_build ? 0.35 : 0.15 }),
};
const overlays = {};
const bounds = L.latLngBounds([]);
for (const key of ["zoning", "constraints", "red_lines", "parcels"]) {
  const data = config.layers[key];
  if (!data) continue;
  const layer = L.geoJSON(data, {
    style: styles[key],
    pmIgnore: true,
    onEachFeature: (feature, l) => feature.properties.label && l.bindTooltip(feature.properties.label),
  }).addTo(map);
  overlays[t[key]] = layer;
  if (key === "parcels" && layer.getLayers().length) bounds.extend(layer.getBounds());
}

const footprintStyle = { color: "#ff7f00", weight: 2, fillColor: "#ff7f00", fillOpacity: 0.5 };
// One layer for the footprint, refilled on every save, so the layer switch keeps hold of it.
const footprint = L.geoJSON(config.layers.footprint, { style: footprintStyle }).addTo(map);
overlays[t.footprint] = footprint;
if (footprint.getLayers().length) bounds.extend(footprint.getBounds());
L.control.layers(null, overlays, { collapsed: false }).addTo(map);
L.control.scale({ imperial: false }).addTo(map);
if (bounds.isValid()) map.fitBounds(bounds.pad(0.6), { maxZoom: 20 });
else map.setView([20.9405, 106.3145], 16);

// --- Footprint: draw (Geoman) or upload ------------------------------------------------
const footprintStatus = document.getElementById("footprint-status");
const saveButton = document.getElementById("save-footprint");
const fileInput = document.getElementById("footprint-file");
let drawn = null;

function showFootprint(geometry) {
  footprint.clearLayers();
  if (geometry) footprint.addData(geometry);
}

async function saveFootprint(geometry) {
  try {
    const feature = await api(config.api.permit, "PATCH", { geometry });
    showFootprint(feature.geometry);
    footprintStatus.textContent = t.saved;
    document.dispatchEvent(new CustomEvent("footprint-saved"));
  } catch (error) {
    footprintStatus.textContent = error.message;
  }
}

function polygonOf(data) {
  if (!data || typeof data !== "object") return null;
  if (data.type === "FeatureCollection") return polygonOf(data.features && data.features[0]);
  if (data.type === "Feature") return polygonOf(data.geometry);
  return data.type === "Polygon" || data.type === "MultiPolygon" ? data : null;
}

if (saveButton && map.pm) {
  map.pm.addControls({
    position: "topleft",
    drawMarker: false,
    drawCircleMarker: false,
    drawPolyline: false,
    drawCircle: false,
    drawText: false,
    cutPolygon: false,
    rotateMode: false,
  });
  map.pm.setGlobalOptions({ snappable: true, snapDistance: 15 });
  map.on("pm:create", (event) => {
    if (drawn) map.removeLayer(drawn);
    drawn = event.layer;
  });
  saveButton.addEventListener("click", () => {
    let layer = drawn;
    if (!layer) {
      const existing = footprint.getLayers();
      layer = existing.length ? existing[0] : null; // edited in place with the edit tool
    }
    if (!layer) {
      footprintStatus.textContent = t.no_drawing;
      return;
    }
    const geometry = layer.toGeoJSON().geometry;
    if (drawn) {
      map.removeLayer(drawn);
      drawn = null;
    }
    saveFootprint(geometry);
  });
}

if (fileInput) {
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files[0];
    if (!file) return;
    let geometry = null;
    try {
      geometry = polygonOf(JSON.parse(await file.text()));
    } catch {
      geometry = null;
    }
    fileInput.value = "";
    if (!geometry) {
      footprintStatus.textContent = t.bad_file;
      return;
    }
    await saveFootprint(geometry);
  });
}

// --- Compliance check -------------------------------------------------------------------
const checkButton = document.getElementById("run-check");
const table = document.getElementById("check-table");
const summary = document.getElementById("check-summary");

function cell(row, text, header = false) {
  const element = document.createElement(header ? "th" : "td");
  if (header) element.scope = "row";
  element.textContent = text;
  row.append(element);
  return element;
}

async function runCheck() {
  checkButton.disabled = true;
  try {
    const result = await api(config.api.check, "POST");
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const rule of result.rules) {
      const row = document.createElement("tr");
      row.className = `rule-${rule.status}`;
      row.dataset.rule = rule.rule;
      cell(row, t.rules[rule.rule] || rule.rule, true);
      const status = cell(row, t[rule.status] || rule.status);
      status.className = "rule-status";
      cell(row, rule.required);
      cell(row, rule.actual);
      cell(row, rule.message);
      body.append(row);
    }
    table.hidden = false;
    summary.textContent = result.compliant ? t.compliant : t.not_compliant;
    summary.className = result.compliant ? "ok" : "not-ok";
  } catch (error) {
    summary.textContent = error.message;
  } finally {
    checkButton.disabled = false;
  }
}
checkButton.addEventListener("click", runCheck);
document.addEventListener("footprint-saved", () => {
  if (!table.hidden) runCheck();
});

// --- Decision ---------------------------------------------------------------------------
const decideForm = document.getElementById("decide-form");
if (decideForm) {
  decideForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = document.getElementById("decide-status");
    const data = new FormData(decideForm);
    try {
      await api(config.api.decide, "POST", {
        decision: data.get("decision"),
        reasons: data.get("reasons"),
        number: data.get("number"),
      });
      window.location.reload();
    } catch (error) {
      status.textContent = error.message;
    }
  });
}
