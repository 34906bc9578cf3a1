// Points: N x 3 coordinates ([x, y, z], in voxels of the stack they were detected in, unless a node says
// otherwise) plus named property columns. ClearMap calls the property rows "intensities"; the detection
// nodes use the column names in INTENSITY_COLUMNS, in ClearMap's order.

export const INTENSITY_COLUMNS = ['raw', 'dog', 'background', 'size'] as const;

export interface Points {
  /** Interleaved coordinates x0,y0,z0,x1,y1,z1,... */
  coords: Float64Array;
  /** Property columns, each of length count; insertion order is the column order. */
  properties: Record<string, Float64Array>;
}

export function pointCount(p: Points): number {
  return p.coords.length / 3;
}

export function makePoints(coords: Float64Array | number[], properties: Record<string, Float64Array | number[]> = {}): Points {
  const c = coords instanceof Float64Array ? coords : Float64Array.from(coords);
  if (c.length % 3 !== 0) throw new Error(`points need 3 coordinates each, got ${c.length} values`);
  const n = c.length / 3;
  const props: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(properties)) {
    const col = v instanceof Float64Array ? v : Float64Array.from(v);
    if (col.length !== n) throw new Error(`property column '${k}' has ${col.length} values for ${n} points`);
    props[k] = col;
  }
  return { coords: c, properties: props };
}

/** Keep the points i for which keep(i) is true (order preserved). */
export function filterPoints(p: Points, keep: (i: number) => boolean): Points {
  const n = pointCount(p);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) idx.push(i);
  return selectPoints(p, idx);
}

export function selectPoints(p: Points, idx: ArrayLike<number>): Points {
  const coords = new Float64Array(idx.length * 3);
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j];
    coords[3 * j] = p.coords[3 * i]; coords[3 * j + 1] = p.coords[3 * i + 1]; coords[3 * j + 2] = p.coords[3 * i + 2];
  }
  const properties: Record<string, Float64Array> = {};
  for (const [k, col] of Object.entries(p.properties)) {
    const out = new Float64Array(idx.length);
    for (let j = 0; j < idx.length; j++) out[j] = col[idx[j]];
    properties[k] = out;
  }
  return { coords, properties };
}

/** Concatenate point sets with the same property columns, in the given order. */
export function concatPoints(parts: Points[]): Points {
  const names = parts.length ? Object.keys(parts[0].properties) : [];
  for (const p of parts) {
    const k = Object.keys(p.properties);
    if (k.length !== names.length || k.some((n, i) => n !== names[i])) {
      throw new Error(`cannot join point sets with different property columns: [${names}] vs [${k}]`);
    }
  }
  const total = parts.reduce((s, p) => s + pointCount(p), 0);
  const coords = new Float64Array(total * 3);
  const properties: Record<string, Float64Array> = Object.fromEntries(names.map((n) => [n, new Float64Array(total)]));
  let o = 0;
  for (const p of parts) {
    coords.set(p.coords, o * 3);
    for (const n of names) properties[n].set(p.properties[n], o);
    o += pointCount(p);
  }
  return { coords, properties };
}
