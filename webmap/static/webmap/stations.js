// A monitoring station in the identify panel: each parameter's latest reading against its
// national limit (QCVN, from /api/identify/), flagged, and a small inline SVG chart of the
// recent values with the limit line. No chart library.

const SVG = "http://www.w3.org/2000/svg";
const W = 240, H = 72, PAD = 6;

function svg(tag, attrs) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  return element;
}

function limitText(limit, fmt) {
  if (!limit) return "—";
  if (limit.lower !== null && limit.upper !== null) return `${fmt(limit.lower, 2)}–${fmt(limit.upper, 2)}`;
  return limit.upper !== null ? `≤ ${fmt(limit.upper, 3)}` : `≥ ${fmt(limit.lower, 3)}`;
}

// Values as a line, exceeding points in red, the limit(s) as a dashed step line (the
// limit may change along the series, e.g. noise by day and by night).
export function chart(parameter, t, fmt) {
  const values = parameter.series.map((p) => p.value);
  const bounds = parameter.series.flatMap((p) => (p.limit ? [p.limit.lower, p.limit.upper] : []))
    .filter((v) => v !== null);
  const top = Math.max(...values, ...bounds) * 1.1 || 1;
  const bottom = Math.min(0, ...values, ...bounds);
  const n = parameter.series.length;
  const x = (i) => PAD + (n === 1 ? (W - 2 * PAD) / 2 : (i * (W - 2 * PAD)) / (n - 1));
  const y = (v) => H - PAD - ((v - bottom) * (H - 2 * PAD)) / (top - bottom);
  const figure = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "chart", role: "img" });
  const described = parameter.series.map((p) => fmt(p.value, 3)).join(", ");
  figure.setAttribute("aria-label",
    `${parameter.parameter}: ${t.recent_values} ${described}; ${t.limit} ${limitText(parameter.limit, fmt)}`);
  figure.append(svg("rect", { x: 0, y: 0, width: W, height: H, class: "chart-bg" }));
  for (const side of ["upper", "lower"]) {
    const steps = parameter.series.map((p, i) => (p.limit && p.limit[side] !== null ? [x(i), y(p.limit[side])] : null));
    if (steps.every((s) => s === null)) continue;
    const d = steps.map((s, i) => (s ? `${i === 0 || !steps[i - 1] ? "M" : "L"}${s[0].toFixed(1)},${s[1].toFixed(1)}` : "")).join(" ");
    figure.append(svg("path", { d, class: "chart-limit" }));
  }
  figure.append(svg("polyline", {
    points: parameter.series.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" "),
    class: "chart-line",
  }));
  parameter.series.forEach((p, i) => {
    const dot = svg("circle", { cx: x(i).toFixed(1), cy: y(p.value).toFixed(1), r: 2.5,
      class: p.status === "exceeds" ? "chart-dot exceeds" : "chart-dot" });
    const title = svg("title", {});
    title.textContent = `${p.measured_at.slice(0, 10)}: ${fmt(p.value, 3)}`;
    dot.append(title);
    figure.append(dot);
  });
  return figure;
}

export function stationSection(station, t, fmt) {
  const section = document.createElement("section");
  section.className = "station";
  section.append(Object.assign(document.createElement("h3"), { textContent: `${station.name} (${station.medium})` }));
  if (station.parameters.length === 0) {
    section.append(Object.assign(document.createElement("p"), { textContent: t.no_readings }));
    return section;
  }
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const label of [t.parameter, t.latest_reading, t.limit, t.status]) {
    const th = Object.assign(document.createElement("th"), { scope: "col", textContent: label });
    head.append(th);
  }
  const body = table.createTBody();
  for (const p of station.parameters) {
    const tr = body.insertRow();
    tr.insertCell().textContent = p.parameter;
    tr.insertCell().textContent = `${fmt(p.value, 3)} ${p.unit} (${p.measured_at.slice(0, 10)})`;
    tr.insertCell().textContent = p.limit
      ? `${limitText(p.limit, fmt)} ${p.unit} — ${p.limit.standard}, ${p.limit.averaging}`
      : "—";
    const status = tr.insertCell();
    status.className = `status ${p.status || "none"}`;
    status.textContent = p.status === "exceeds" ? t.exceeds : p.status === "within" ? t.within : t.no_limit;
  }
  section.append(table);
  for (const p of station.parameters) {
    const figure = document.createElement("figure");
    figure.append(chart(p, t, fmt));
    figure.append(Object.assign(document.createElement("figcaption"), {
      textContent: `${p.parameter} (${p.unit || "—"}): ${t.recent_values}`,
    }));
    section.append(figure);
  }
  section.append(Object.assign(document.createElement("p"), { className: "note", textContent: t.limits_note }));
  return section;
}
