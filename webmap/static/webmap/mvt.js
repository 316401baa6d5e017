// The identified parcel's outline from our own vector tiles (/tiles/mvt/parcels/Z/X/Y.pbf):
// a minimal Mapbox Vector Tile 2.1 reader (protobuf varints, geometry commands), enough to
// find one feature by id and turn its rings into lat/lon. Null when the tile has no such
// feature or clips it (a parcel across a tile edge): the caller falls back to GeoJSON.

const TILE_ZOOM = 16; // true vertices from z16 on (tiles/mvt.py DETAIL_ZOOM), ~600 m tiles

function reader(bytes) {
  let pos = 0;
  const varint = () => {
    let result = 0, shift = 0, byte;
    do {
      byte = bytes[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  return {
    get pos() { return pos; },
    done: () => pos >= bytes.length,
    varint,
    // One field: [number, wire type, value]; length-delimited values are sub-arrays.
    field() {
      const key = varint();
      const type = key & 7;
      let value;
      if (type === 0) value = varint();
      else if (type === 2) { const n = varint(); value = bytes.subarray(pos, pos + n); pos += n; }
      else if (type === 1) { pos += 8; } else if (type === 5) { pos += 4; }
      else throw new Error(`unsupported wire type ${type}`);
      return [key >>> 3, type, value];
    },
  };
}

function packed(bytes) {
  const r = reader(bytes), out = [];
  while (!r.done()) out.push(r.varint());
  return out;
}

const zigzag = (n) => (n % 2 === 1 ? -(n + 1) / 2 : n / 2);

// MoveTo / LineTo / ClosePath commands into rings of tile coordinates.
function rings(commands) {
  const out = [];
  let x = 0, y = 0, ring = null;
  for (let i = 0; i < commands.length;) {
    const id = commands[i] & 7, count = commands[i] >>> 3;
    i += 1;
    if (id === 7) { if (ring) out.push(ring); ring = null; continue; }
    for (let k = 0; k < count; k += 1) {
      x += zigzag(commands[i]); y += zigzag(commands[i + 1]);
      i += 2;
      if (id === 1) { if (ring) out.push(ring); ring = [[x, y]]; } else ring.push([x, y]);
    }
  }
  if (ring) out.push(ring);
  return out;
}

// The feature with this id in any layer of the tile: {extent, rings} or null.
export function findFeature(bytes, wanted) {
  const tile = reader(bytes);
  while (!tile.done()) {
    const [number, , layerBytes] = tile.field();
    if (number !== 3) continue;
    const layer = reader(layerBytes);
    let extent = 4096;
    const features = [];
    while (!layer.done()) {
      const [n, , value] = layer.field();
      if (n === 5) extent = value;
      else if (n === 2) features.push(value);
    }
    for (const featureBytes of features) {
      const feature = reader(featureBytes);
      let id = null, geometry = null;
      while (!feature.done()) {
        const [n, , value] = feature.field();
        if (n === 1) id = value;
        else if (n === 4) geometry = packed(value);
      }
      if (id === wanted && geometry) return { extent, rings: rings(geometry) };
    }
  }
  return null;
}

function tileOf(latlng, z) {
  const n = 2 ** z;
  const x = Math.floor(((latlng.lng + 180) / 360) * n);
  const s = Math.sin((latlng.lat * Math.PI) / 180);
  const y = Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n);
  return { x, y };
}

// Tile coordinates (y down) to lat/lon on the Web Mercator sphere.
function toLatLng(px, py, z, x, y, extent) {
  const n = 2 ** z;
  const lng = ((x + px / extent) / n) * 360 - 180;
  const my = Math.PI * (1 - (2 * (y + py / extent)) / n);
  return [(Math.atan(Math.sinh(my)) * 180) / Math.PI, lng];
}

// Rings (lat/lon) of parcel `id` from the parcels tile at `latlng`, or null.
export async function parcelRings(id, latlng) {
  const z = TILE_ZOOM;
  const { x, y } = tileOf(latlng, z);
  const response = await fetch(`/tiles/mvt/parcels/${z}/${x}/${y}.pbf`);
  if (!response.ok) return null;
  const feature = findFeature(new Uint8Array(await response.arrayBuffer()), id);
  if (!feature) return null;
  const { extent } = feature;
  const clipped = feature.rings.some((ring) => ring.some(([px, py]) => px < 0 || py < 0 || px > extent || py > extent));
  if (clipped) return null;
  return feature.rings.map((ring) => ring.map(([px, py]) => toLatLng(px, py, z, x, y, extent)));
}
