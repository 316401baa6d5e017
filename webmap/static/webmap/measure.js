// Distance and area measuring on the WGS 84 ellipsoid: Vincenty's inverse formula for
// lengths, the authalic sphere (equal-area) for areas. Mouse: click points on the map.
// Keyboard: pan with the arrow keys, Enter adds the point under the centre cross,
// Backspace removes the last one, Escape finishes.

const A = 6378137.0; // WGS 84 semi-major axis, m
const F = 1 / 298.257223563; // WGS 84 flattening
const B = A * (1 - F);
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const rad = (deg) => (deg * Math.PI) / 180;

// Vincenty (1975) inverse: the geodesic distance in metres between two lat/lon points.
export function geodesicDistance(p1, p2) {
  const L = rad(p2.lng - p1.lng);
  const U1 = Math.atan((1 - F) * Math.tan(rad(p1.lat)));
  const U2 = Math.atan((1 - F) * Math.tan(rad(p2.lat)));
  const sinU1 = Math.sin(U1), cosU1 = Math.cos(U1), sinU2 = Math.sin(U2), cosU2 = Math.cos(U2);
  let lambda = L;
  for (let i = 0; i < 200; i += 1) {
    const sinL = Math.sin(lambda), cosL = Math.cos(lambda);
    const sinSigma = Math.hypot(cosU2 * sinL, cosU1 * sinU2 - sinU1 * cosU2 * cosL);
    if (sinSigma === 0) return 0; // the same point
    const cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
    const sigma = Math.atan2(sinSigma, cosSigma);
    const sinAlpha = (cosU1 * cosU2 * sinL) / sinSigma;
    const cos2Alpha = 1 - sinAlpha * sinAlpha;
    const cos2SigmaM = cos2Alpha === 0 ? 0 : cosSigma - (2 * sinU1 * sinU2) / cos2Alpha;
    const C = (F / 16) * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha));
    const previous = lambda;
    lambda = L + (1 - C) * F * sinAlpha *
      (sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
    if (Math.abs(lambda - previous) < 1e-12) {
      const u2 = (cos2Alpha * (A * A - B * B)) / (B * B);
      const bigA = 1 + (u2 / 16384) * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
      const bigB = (u2 / 1024) * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
      const deltaSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4) *
        (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
          (bigB / 6) * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) * (-3 + 4 * cos2SigmaM * cos2SigmaM)));
      return B * bigA * (sigma - deltaSigma);
    }
  }
  // Nearly antipodal points, where the iteration does not converge (never at a town's
  // scale): the great-circle distance on the mean sphere.
  const h = Math.sin(rad(p2.lat - p1.lat) / 2) ** 2 +
    Math.cos(rad(p1.lat)) * Math.cos(rad(p2.lat)) * Math.sin(rad(p2.lng - p1.lng) / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function geodesicLength(points) {
  let total = 0;
  for (let i = 1; i < points.length; i += 1) total += geodesicDistance(points[i - 1], points[i]);
  return total;
}

// Authalic latitude: the sphere of radius RQ with these latitudes has the ellipsoid's areas.
function q(sinPhi) {
  return (1 - E2) * (sinPhi / (1 - E2 * sinPhi * sinPhi) -
    (1 / (2 * E)) * Math.log((1 - E * sinPhi) / (1 + E * sinPhi)));
}
const QP = q(1);
const RQ = A * Math.sqrt(QP / 2);
const sinAuthalic = (lat) => q(Math.sin(rad(lat))) / QP;

// Area in m² of a polygon (lat/lon vertices, not closed) on the WGS 84 ellipsoid.
export function geodesicArea(points) {
  if (points.length < 3) return 0;
  let sum = 0;
  for (let i = 0; i < points.length; i += 1) {
    const p1 = points[i], p2 = points[(i + 1) % points.length];
    sum += rad(p2.lng - p1.lng) * (2 + sinAuthalic(p1.lat) + sinAuthalic(p2.lat));
  }
  return Math.abs((sum * RQ * RQ) / 2);
}

function number(value, digits) {
  return value.toLocaleString(document.documentElement.lang, {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  });
}

export function formatLength(m) {
  return m >= 1000 ? `${number(m / 1000, 3)} km` : `${number(m, 1)} m`;
}

export function formatArea(m2) {
  return `${number(m2, 1)} m² (${number(m2 / 10000, 4)} ha)`;
}

function button(text, label, onClick) {
  const b = Object.assign(document.createElement("button"), { type: "button", textContent: text, title: label });
  b.setAttribute("aria-label", label);
  L.DomEvent.on(b, "click", (event) => { L.DomEvent.stop(event); onClick(); });
  return b;
}

// The measuring control; `isActive()` tells the map's click handler to leave clicks alone.
export function addMeasureControl(map, t) {
  let mode = null; // "distance" | "area" | null
  let points = [];
  const drawn = L.layerGroup().addTo(map);
  const box = L.DomUtil.create("div", "leaflet-bar measure");
  box.setAttribute("role", "group");
  box.setAttribute("aria-label", t.measure_tools);
  const distance = button("↔", t.measure_distance, () => start("distance"));
  const area = button("▱", t.measure_area, () => start("area"));
  const tools = document.createElement("div");
  tools.className = "measure-tools";
  tools.hidden = true;
  const add = button("+", t.measure_add, () => addPoint(map.getCenter()));
  const undo = button("⌫", t.measure_undo, () => { points.pop(); redraw(); });
  const finish = button("✓", t.measure_finish, () => stop());
  const output = document.createElement("output");
  output.className = "measure-result";
  output.setAttribute("role", "status");
  output.setAttribute("aria-live", "polite");
  tools.append(add, undo, finish, output);
  box.append(distance, area, tools);
  L.DomEvent.disableClickPropagation(box);
  L.DomEvent.disableScrollPropagation(box);

  function redraw() {
    drawn.clearLayers();
    const style = { color: "#d4380d", weight: 3, dashArray: "6 4" };
    if (mode === "area" && points.length >= 3) L.polygon(points, style).addTo(drawn);
    else if (points.length >= 2) L.polyline(points, style).addTo(drawn);
    for (const p of points) L.circleMarker(p, { radius: 4, color: "#d4380d", fillOpacity: 1 }).addTo(drawn);
    if (mode === "area") {
      output.textContent = points.length >= 3 ? `${t.area_label}: ${formatArea(geodesicArea(points))}` : t.measure_hint;
    } else if (mode === "distance") {
      output.textContent = points.length >= 2 ? `${t.distance_label}: ${formatLength(geodesicLength(points))}` : t.measure_hint;
    }
  }
  function addPoint(latlng) {
    if (!mode) return;
    points.push(L.latLng(latlng.lat, latlng.lng));
    redraw();
  }
  function start(kind) {
    mode = kind;
    points = [];
    tools.hidden = false;
    distance.setAttribute("aria-pressed", String(kind === "distance"));
    area.setAttribute("aria-pressed", String(kind === "area"));
    map.getContainer().classList.add("measuring");
    redraw();
    add.focus();
  }
  function stop() {
    mode = null;
    tools.hidden = true;
    distance.setAttribute("aria-pressed", "false");
    area.setAttribute("aria-pressed", "false");
    map.getContainer().classList.remove("measuring");
    points = [];
    drawn.clearLayers();
    output.textContent = "";
  }
  distance.setAttribute("aria-pressed", "false");
  area.setAttribute("aria-pressed", "false");
  map.on("click", (event) => addPoint(event.latlng));
  map.getContainer().addEventListener("keydown", (event) => {
    if (!mode || event.target !== map.getContainer()) return;
    if (event.key === "Enter") { addPoint(map.getCenter()); event.preventDefault(); }
    else if (event.key === "Backspace") { points.pop(); redraw(); event.preventDefault(); }
    else if (event.key === "Escape") stop();
  });
  const Control = L.Control.extend({ options: { position: "topleft" }, onAdd: () => box });
  new Control().addTo(map);
  return { isActive: () => mode !== null, points: () => points.slice() };
}
