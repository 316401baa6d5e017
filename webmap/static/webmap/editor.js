// The planners' editor: plans and zoning areas drawn with Leaflet-Geoman, saved through
// /api/plans/ and /api/zoning/ with the version read (409 shows the other person's save).
const config = JSON.parse(document.getElementById("editor-config").textContent);
const t = config.labels;
const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
const $ = (id) => document.getElementById(id);
const FIELDS = ["zone_code", "land_use", "max_coverage", "max_floors", "max_height_m", "max_far", "min_setback_m"];
const PARCEL_MIN_ZOOM = 16;
const SNAP = { snappable: true, snapDistance: 20 };

function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
}

async function api(method, url, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      "Accept-Language": document.documentElement.lang,
      "Content-Type": "application/json",
      "X-CSRFToken": csrf,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = { detail: t.error };
    }
  }
  return { status: response.status, ok: response.ok, data };
}

function say(text) {
  $("status").textContent = text;
}

// --- map -----------------------------------------------------------------------------------
const map = L.map("map").setView(config.center, config.zoom);
L.tileLayer("/tiles/wmts/basemap/webmercator/{z}/{x}/{y}.png", { maxZoom: 20 }).addTo(map);
map.pm.setGlobalOptions({ ...SNAP, allowSelfIntersection: false });
// Parcels and the plan boundary are snap targets only: Geoman never edits them.
const targets = { pmIgnore: true, snapIgnore: false, interactive: false };
const parcels = L.geoJSON(null, { ...targets, style: { color: "#777", weight: 1, fill: false } }).addTo(map);
const boundary = L.geoJSON(null, { ...targets, style: { color: "#c00", weight: 2, dashArray: "6 4", fill: false } }).addTo(map);
// Zones of other plans around the view (approved or drafts): context and snap targets.
const neighbours = L.geoJSON(null, {
  ...targets,
  style: { color: "#555", weight: 1, dashArray: "2 3", fillColor: "#999", fillOpacity: 0.12 },
}).addTo(map);
const marks = L.geoJSON(null, { pmIgnore: true, snapIgnore: true, interactive: false }).addTo(map);
const zones = L.geoJSON(null, {
  snapIgnore: false,
  style: (feature) => ({ color: "#333", weight: 1.5, fillColor: feature.properties.color || "#ccc", fillOpacity: 0.55 }),
  onEachFeature: (feature, layer) => layer.on("click", () => onZoneClick(layer)),
}).addTo(map);
window.quyhoachEditor = { map, zones, parcels };

async function loadParcels() {
  if (map.getZoom() < PARCEL_MIN_ZOOM) return parcels.clearLayers();
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(7)).join(",");
  const { ok, data } = await api("GET", `/api/parcels/?bbox=${bbox}&limit=1000`);
  if (!ok) return;
  parcels.clearLayers();
  parcels.addData(data);
  window.quyhoachEditor.parcelsLoaded = (window.quyhoachEditor.parcelsLoaded || 0) + 1;
  const around = await api("GET", `/api/zoning/?bbox=${bbox}`);
  if (!around.ok) return;
  neighbours.clearLayers();
  neighbours.addData({ ...around.data, features: around.data.features.filter((f) => !plan || f.properties.plan !== plan.id) });
}
map.on("moveend", loadParcels);

// --- state ---------------------------------------------------------------------------------
let plans = [];
let plan = null; // the chosen plan's feature
let selected = null; // {layer, feature|null, geometryChanged}
let mode = null; // "boundary" | "zone" | "split" | "merge"

function editable() {
  return plan && plan.properties.actions.includes("edit");
}

// --- plans ---------------------------------------------------------------------------------
async function loadPlans(chooseId) {
  const { data } = await api("GET", "/api/plans/");
  plans = data.features;
  const select = $("plan-select");
  select.replaceChildren(new Option(t.choose_plan, ""));
  for (const p of plans) {
    select.append(new Option(`${p.properties.name} (${p.properties.status_name})`, p.id));
  }
  if (chooseId) {
    select.value = String(chooseId);
    await choosePlan(chooseId);
  }
}

async function choosePlan(id, fit = true) {
  plan = plans.find((p) => String(p.id) === String(id)) || null;
  clearSelection();
  boundary.clearLayers();
  zones.clearLayers();
  $("plan-panel").hidden = !plan;
  if (!plan) return;
  boundary.addData(plan);
  if (fit) map.fitBounds(boundary.getBounds(), { animate: false });
  showPlan();
  await loadZones();
}

function showPlan() {
  const p = plan.properties;
  $("plan-title").textContent = p.name;
  const facts = $("plan-facts");
  facts.replaceChildren();
  const rows = [[t.status, p.status_name]];
  if (p.decision_number) rows.push([t.decision, `${p.decision_number} (${p.approved_on})`]);
  if (p.return_reason && p.status === "draft") rows.push([t.returned, p.return_reason]);
  for (const [term, value] of rows) {
    facts.append(Object.assign(document.createElement("dt"), { textContent: term }));
    facts.append(Object.assign(document.createElement("dd"), { textContent: value }));
  }
  $("draw-zone").hidden = !p.actions.includes("edit");
  $("submit-plan").hidden = !p.actions.includes("submit");
  $("import-form").hidden = !p.actions.includes("edit");
  $("approve-form").hidden = !p.actions.includes("approve");
  $("return-form").hidden = !p.actions.includes("return");
  if (!p.actions.includes("edit")) say(t.not_editable);
}

async function refreshPlan() {
  const { data } = await api("GET", `/api/plans/${plan.id}/`);
  plans = plans.map((p) => (p.id === data.id ? data : p));
  plan = data;
  const option = [...$("plan-select").options].find((o) => o.value === String(plan.id));
  if (option) option.textContent = `${plan.properties.name} (${plan.properties.status_name})`;
  showPlan();
}

async function loadZones() {
  const { data } = await api("GET", `/api/zoning/?plan=${plan.id}`);
  zones.clearLayers();
  zones.addData(data);
  return data;
}

$("plan-select").addEventListener("change", (event) => choosePlan(event.target.value));

async function lifecycle(action, body, form) {
  clearErrors(form);
  const { ok, data } = await api("POST", `/api/plans/${plan.id}/${action}/`, body);
  if (!ok) return showErrors(data, form);
  await refreshPlan();
  await loadZones();
  clearSelection();
  say({ submit: t.submitted, approve: t.approved, return: t.returned_ok }[action]);
}

$("submit-plan").addEventListener("click", () => lifecycle("submit", undefined, $("plan-panel")));
$("approve-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  lifecycle("approve", { decision_number: form.decision_number.value, approved_on: form.approved_on.value }, form);
});
$("return-form").addEventListener("submit", (event) => {
  event.preventDefault();
  lifecycle("return", { reason: event.target.reason.value }, event.target);
});

// A new plan: name and level first, then its boundary drawn on the map.
const levelSelect = $("plan-level");
for (const level of config.levels) levelSelect.append(new Option(level.label, level.value));
$("new-plan")?.addEventListener("click", () => {
  $("new-plan-form").hidden = false;
  $("plan-name").focus();
});
$("new-plan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  mode = "boundary";
  say(t.draw_boundary);
  map.pm.enableDraw("Polygon", SNAP);
});

async function createPlan(layer) {
  const form = $("new-plan-form");
  const body = {
    type: "Feature",
    geometry: layer.toGeoJSON(false).geometry,
    properties: { name: form.name.value, level: form.level.value },
  };
  layer.remove();
  const { ok, data } = await api("POST", "/api/plans/", body);
  if (!ok) {
    $("err-plan").textContent = [data.detail, ...Object.values(data.errors || {}).flat()].join(" ");
    return;
  }
  form.hidden = true;
  form.reset();
  say(t.created_plan);
  await loadPlans(data.id);
}

// --- zones ---------------------------------------------------------------------------------
const landUse = $("land_use");
for (const lu of config.land_uses) landUse.append(new Option(`${lu.code} — ${lu.name}`, lu.code));

function clearErrors(root = document) {
  for (const node of root.querySelectorAll(".error")) node.textContent = "";
  for (const node of root.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  marks.clearLayers();
}

function showErrors(data, root = document) {
  const errors = (data && data.errors) || {};
  let shown = false;
  for (const [field, messages] of Object.entries(errors)) {
    const slot = root.querySelector(`#err-${field}`) || document.getElementById(`err-${field}`);
    if (!slot) continue;
    slot.textContent = messages.join(" ");
    document.getElementById(field)?.setAttribute("aria-invalid", "true");
    shown = true;
  }
  // The overlap with other zones and the part outside the boundary, in red on the map.
  for (const geometry of [data && data.overlap, data && data.outside]) {
    if (geometry) marks.addData({ type: "Feature", geometry, properties: {} });
  }
  marks.setStyle({ color: "#e00", weight: 3, fillColor: "#f00", fillOpacity: 0.5 });
  say(shown ? data.detail : `${data ? data.detail : t.error} ${Object.values(errors).flat().join(" ")}`);
}

function fillForm(properties) {
  const form = $("zone-form");
  for (const name of FIELDS) {
    const value = properties ? properties[name] : null;
    form.elements[name].value = value === null || value === undefined ? "" : value;
  }
  form.elements.comment.value = "";
}

function readForm() {
  const form = $("zone-form");
  const values = {};
  for (const name of FIELDS) {
    const raw = form.elements[name].value.trim();
    values[name] = raw === "" ? null : raw;
  }
  values.comment = form.elements.comment.value;
  return values;
}

function clearSelection() {
  if (selected) {
    selected.layer.pm?.disable();
    if (!selected.feature) selected.layer.remove();
  }
  selected = null;
  $("zone-form").hidden = true;
  $("history-panel").hidden = true;
  $("conflict").hidden = true;
  clearErrors();
}

function select(layer, feature) {
  clearSelection();
  selected = { layer, feature, geometryChanged: !feature };
  const form = $("zone-form");
  form.hidden = false;
  fillForm(feature ? feature.properties : null);
  for (const id of ["save-zone", "reshape-zone", "split-zone", "merge-zone", "delete-zone"]) {
    $(id).hidden = !editable() || (!feature && id !== "save-zone");
  }
  for (const input of form.querySelectorAll("input, select")) input.disabled = !editable();
  layer.on("pm:edit", () => {
    if (selected && selected.layer === layer) selected.geometryChanged = true;
  });
  if (feature) loadHistory(feature.id);
}

function onZoneClick(layer) {
  if (mode === "merge" && selected && selected.feature && layer.feature.id !== selected.feature.id) {
    return merge(selected.feature, layer.feature);
  }
  select(layer, layer.feature);
}

$("draw-zone").addEventListener("click", () => {
  clearSelection();
  mode = "zone";
  say(t.draw_zone);
  map.pm.enableDraw("Polygon", SNAP);
});

map.on("pm:create", (event) => {
  const current = mode;
  mode = null;
  if (current === "boundary") return createPlan(event.layer);
  if (current === "split") {
    const line = event.layer.toGeoJSON(false).geometry;
    event.layer.remove();
    return split(line);
  }
  if (current !== "zone") return event.layer.remove();
  event.layer.setStyle({ color: "#0050b4", weight: 2 });
  select(event.layer, null);
  $("zone_code").focus();
});

$("reshape-zone").addEventListener("click", () => {
  if (!selected) return;
  selected.layer.pm.enable({ ...SNAP, allowSelfIntersection: false });
});

async function saveZone(event) {
  event.preventDefault();
  if (!selected) return;
  clearErrors($("zone-form"));
  const values = readForm();
  let response;
  if (!selected.feature) {
    const geometry = selected.layer.toGeoJSON(false).geometry;
    response = await api("POST", "/api/zoning/", { type: "Feature", geometry, properties: { plan: plan.id, ...values } });
  } else {
    const body = { properties: { ...values, version: selected.feature.properties.version } };
    if (selected.geometryChanged) body.geometry = selected.layer.toGeoJSON(false).geometry;
    response = await api("PATCH", `/api/zoning/${selected.feature.id}/`, body);
  }
  if (response.status === 409) return showConflict(response.data, values);
  if (!response.ok) return showErrors(response.data, $("zone-form"));
  await afterSave(response.data, format(t.saved, { version: response.data.properties.version }));
}
$("zone-form").addEventListener("submit", saveZone);

async function afterSave(feature, message) {
  const keep = feature ? feature.id : null;
  if (selected && !selected.feature) selected.layer.remove();
  selected = null;
  clearSelection();
  await loadZones();
  await refreshPlan();
  if (keep) {
    zones.eachLayer((layer) => {
      if (layer.feature.id === keep) select(layer, layer.feature);
    });
  }
  say(message);
}

// Someone saved first: show their version (values and shape) next to ours.
function showConflict(data, mine) {
  const box = $("conflict");
  box.hidden = false;
  box.replaceChildren();
  const theirs = data.current;
  const title = document.createElement("p");
  title.textContent = theirs ? format(t.conflict, { version: theirs.properties.version }) : t.conflict_deleted;
  box.append(title);
  say(title.textContent);
  if (!theirs) return;
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const text of ["", t.their_values, t.your_values]) head.append(Object.assign(document.createElement("th"), { textContent: text }));
  for (const name of FIELDS) {
    const row = table.insertRow();
    const label = document.querySelector(`label[for=${name}]`).textContent;
    const a = theirs.properties[name];
    const b = mine[name];
    row.insertCell().textContent = label;
    row.insertCell().textContent = a === null ? "—" : String(a);
    row.insertCell().textContent = b === null ? "—" : String(b);
    if (String(a ?? "") !== String(b ?? "") && Number(a) !== Number(b)) row.className = "changed";
  }
  box.append(table);
  marks.clearLayers();
  marks.addData(theirs);
  marks.setStyle({ color: "#e67e00", weight: 3, dashArray: "5 5", fill: false });
  const button = Object.assign(document.createElement("button"), { type: "button", textContent: t.load_theirs });
  button.addEventListener("click", () => {
    // Keep the edited values; take their version number and shape as the new base.
    selected.feature = theirs;
    selected.layer.setLatLngs(L.geoJSON(theirs).getLayers()[0].getLatLngs());
    selected.geometryChanged = false;
    box.hidden = true;
    marks.clearLayers();
  });
  box.append(button);
}

$("delete-zone").addEventListener("click", async () => {
  if (!selected || !selected.feature || !window.confirm(t.confirm_delete)) return;
  const { status, ok, data } = await api("DELETE", `/api/zoning/${selected.feature.id}/?version=${selected.feature.properties.version}`);
  if (status === 409) return showConflict(data, readForm());
  if (!ok) return showErrors(data, $("zone-form"));
  await afterSave(null, t.deleted);
});

$("split-zone").addEventListener("click", () => {
  if (!selected || !selected.feature) return;
  mode = "split";
  say(t.draw_split);
  map.pm.enableDraw("Line", SNAP);
});

async function split(line) {
  const feature = selected.feature;
  const { status, ok, data } = await api("POST", "/api/zoning/split/", { id: feature.id, version: feature.properties.version, line });
  if (status === 409) return showConflict(data, readForm());
  if (!ok) return showErrors(data, $("zone-form"));
  await afterSave(data.features[0], format(t.saved, { version: data.features[0].properties.version }));
}

$("merge-zone").addEventListener("click", () => {
  if (!selected || !selected.feature) return;
  mode = "merge";
  say(t.pick_merge);
});

async function merge(into, other) {
  mode = null;
  const zonesToMerge = [into, other].map((f) => ({ id: f.id, version: f.properties.version }));
  const { status, ok, data } = await api("POST", "/api/zoning/merge/", { zones: zonesToMerge });
  if (status === 409) return showConflict(data, readForm());
  if (!ok) return showErrors(data, $("zone-form"));
  await afterSave(data, format(t.saved, { version: data.properties.version }));
}

// --- QCVN 01:2021 suggestion for the coverage, from a typical lot area ----------------------
let suggestion = null;
async function suggestCoverage() {
  const area = $("lot_area").value;
  $("use-qcvn").hidden = true;
  $("qcvn-hint").textContent = "";
  if (!area) return;
  const query = new URLSearchParams({ land_use: landUse.value, lot_area_m2: area, height_m: $("max_height_m").value });
  const { ok, data } = await api("GET", `/api/zoning/qcvn/?${query}`);
  if (!ok) return;
  suggestion = data.max_coverage;
  $("qcvn-hint").textContent = suggestion === null ? t.qcvn_none : format(t.qcvn_hint, { value: suggestion, area });
  $("use-qcvn").hidden = suggestion === null || !editable();
}
for (const id of ["lot_area", "land_use", "max_height_m"]) $(id).addEventListener("change", suggestCoverage);
$("use-qcvn").addEventListener("click", () => {
  $("max_coverage").value = suggestion;
});

// --- history -------------------------------------------------------------------------------
async function loadHistory(id) {
  const { ok, data } = await api("GET", `/api/zoning/${id}/history/`);
  const list = $("history");
  list.replaceChildren();
  $("history-panel").hidden = false;
  if (!ok || !data.history.length) {
    list.append(Object.assign(document.createElement("li"), { textContent: t.no_history }));
    return;
  }
  for (const entry of [...data.history].reverse()) {
    const item = document.createElement("li");
    const when = new Date(entry.at).toLocaleString(document.documentElement.lang);
    const text = `${t.version} ${entry.version} · ${entry.action} · ${entry.by || "—"} · ${when}`;
    item.append(Object.assign(document.createElement("span"), { textContent: text }));
    if (entry.comment) item.append(Object.assign(document.createElement("q"), { textContent: entry.comment }));
    if (entry.after.geometry) {
      // A diff on the map: the version's shape (blue) over the shape before it (grey).
      const show = Object.assign(document.createElement("button"), { type: "button", textContent: t.show });
      show.addEventListener("click", () => {
        marks.clearLayers();
        if (entry.before && entry.before.geometry) {
          marks.addLayer(L.geoJSON(entry.before.geometry, { style: { color: "#666", dashArray: "4 4", fill: false } }));
        }
        marks.addLayer(L.geoJSON(entry.after.geometry, { style: { color: "#0050b4", weight: 3, fillOpacity: 0.15 } }));
      });
      item.append(show);
      if (editable() && entry.version !== selected?.feature?.properties.version) {
        const revert = Object.assign(document.createElement("button"), { type: "button", textContent: t.revert });
        revert.addEventListener("click", () => revertTo(id, entry.version));
        item.append(revert);
      }
    }
    list.append(item);
  }
}

async function revertTo(id, version) {
  const current = selected.feature.properties.version;
  const { status, ok, data } = await api("POST", `/api/zoning/${id}/revert/`, { version, current_version: current });
  if (status === 409) return showConflict(data, readForm());
  if (!ok) return showErrors(data, $("zone-form"));
  await afterSave(data, format(t.reverted, { version }));
}

loadPlans(new URLSearchParams(window.location.search).get("plan"));
loadParcels();
window.quyhoachEditor.ready = true;

// Load a zoning file into the draft through the importer (all or nothing, checked like an edit).
$("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const problems = $("import-problems");
  problems.replaceChildren();
  const body = new FormData($("import-form"));
  say(t.loading_file);
  const response = await fetch(`/api/plans/${plan.id}/import/`, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrf },
    body,
  });
  let data;
  try {
    data = await response.json();
  } catch {
    data = { detail: t.error };
  }
  say(data.detail);
  for (const problem of data.problems || []) {
    const text = Object.values(problem.errors).flat().join(" ");
    problems.append(Object.assign(document.createElement("li"), { textContent: `${problem.zone}: ${text}` }));
  }
  if (response.ok) {
    $("import-form").reset();
    await loadZones();
    await refreshPlan();
  }
});
