// VTK legacy polydata points (ASCII or BINARY; binary is big-endian as the format requires).
// Properties are POINT_DATA FIELD arrays (one named array per column), so ParaView can colour by
// them. Reading also accepts ClearMap's UNSTRUCTURED_GRID files and SCALARS arrays.
import { readFileSync } from 'node:fs';

export type VtkEncoding = 'ascii' | 'binary';

const safeName = (n: string) => n.replace(/\s+/g, '_') || 'property';

function asciiNumber(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

export function encodeVtk(coords: Float64Array, properties: Record<string, Float64Array>, encoding: VtkEncoding = 'ascii'): Buffer {
  const n = coords.length / 3;
  const parts: Buffer[] = [];
  const text = (s: string) => parts.push(Buffer.from(s, 'latin1'));
  const doubles = (a: ArrayLike<number>) => {
    if (encoding === 'ascii') {
      const lines: string[] = [];
      for (let i = 0; i < a.length; i += 9) lines.push(Array.from({ length: Math.min(9, a.length - i) }, (_, k) => asciiNumber(a[i + k])).join(' '));
      text(lines.join('\n') + (a.length ? '\n' : ''));
    } else {
      const b = Buffer.alloc(a.length * 8);
      for (let i = 0; i < a.length; i++) b.writeDoubleBE(a[i], i * 8);
      parts.push(b);
      text('\n');
    }
  };
  text(`# vtk DataFile Version 3.0\nClearMap.ts points\n${encoding.toUpperCase()}\nDATASET POLYDATA\nPOINTS ${n} double\n`);
  doubles(coords);
  text(`VERTICES ${n} ${2 * n}\n`);
  if (encoding === 'ascii') {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`1 ${i}`);
    text(lines.join('\n') + (n ? '\n' : ''));
  } else {
    const b = Buffer.alloc(8 * n);
    for (let i = 0; i < n; i++) { b.writeInt32BE(1, 8 * i); b.writeInt32BE(i, 8 * i + 4); }
    parts.push(b);
    text('\n');
  }
  const names = Object.keys(properties);
  if (names.length && n > 0) {
    text(`POINT_DATA ${n}\nFIELD properties ${names.length}\n`);
    for (const name of names) {
      text(`${safeName(name)} 1 ${n} double\n`);
      doubles(properties[name]);
    }
  }
  return Buffer.concat(parts);
}

const SIZES: Record<string, number> = {
  bit: 1, unsigned_char: 1, char: 1, short: 2, unsigned_short: 2, int: 4, unsigned_int: 4,
  long: 8, unsigned_long: 8, vtktypeint64: 8, vtktypeuint64: 8, float: 4, double: 8,
};

class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer, readonly path: string, readonly binary: boolean) {}
  /** Next non-empty line (trimmed); undefined at end of file. */
  line(): string | undefined {
    while (this.pos < this.buf.length) {
      let end = this.buf.indexOf(10, this.pos);
      if (end < 0) end = this.buf.length;
      const l = this.buf.toString('latin1', this.pos, end).trim();
      this.pos = end + 1;
      if (l !== '') return l;
    }
    return undefined;
  }
  numbers(count: number, type: string): Float64Array {
    const out = new Float64Array(count);
    const size = SIZES[type];
    if (size === undefined) throw new Error(`${this.path}: VTK data type '${type}' is not supported`);
    if (this.binary) {
      if (this.pos + count * size > this.buf.length) throw new Error(`${this.path}: file is truncated: ${count} ${type} values needed at byte ${this.pos}`);
      const b = this.buf, p = this.pos;
      for (let i = 0; i < count; i++) {
        const o = p + i * size;
        out[i] = type === 'double' ? b.readDoubleBE(o) : type === 'float' ? b.readFloatBE(o)
          : size === 8 ? Number(type.includes('u') ? b.readBigUInt64BE(o) : b.readBigInt64BE(o))
          : size === 4 ? (type === 'unsigned_int' ? b.readUInt32BE(o) : b.readInt32BE(o))
          : size === 2 ? (type === 'short' ? b.readInt16BE(o) : b.readUInt16BE(o))
          : type === 'char' ? b.readInt8(o) : b.readUInt8(o);
      }
      this.pos = p + count * size;
      return out;
    }
    let i = 0;
    while (i < count) {
      const l = this.line();
      if (l === undefined) throw new Error(`${this.path}: file is truncated: expected ${count} ${type} values, found ${i}`);
      for (const tok of l.split(/\s+/)) {
        if (i >= count) throw new Error(`${this.path}: too many values on a line near byte ${this.pos}`);
        const t = tok.toLowerCase();
        out[i++] = t === 'nan' ? NaN : t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(tok);
        if (Number.isNaN(out[i - 1]) && t !== 'nan') throw new Error(`${this.path}: '${tok}' is not a number`);
      }
    }
    return out;
  }
}

export function readVtkPoints(path: string): { coords: Float64Array; properties: Record<string, Float64Array> } {
  const buf = readFileSync(path);
  const head = new Cursor(buf, path, false);
  const magic = head.line();
  if (!magic?.startsWith('# vtk DataFile')) throw new Error(`${path}: not a VTK legacy file (no '# vtk DataFile' line)`);
  head.line(); // title
  const enc = head.line()?.toUpperCase();
  if (enc !== 'ASCII' && enc !== 'BINARY') throw new Error(`${path}: third line must be ASCII or BINARY, got '${enc}'`);
  const c = new Cursor(buf, path, enc === 'BINARY');
  c.pos = head.pos;
  const dataset = c.line() ?? '';
  if (!/^DATASET\s+(POLYDATA|UNSTRUCTURED_GRID)$/i.test(dataset)) throw new Error(`${path}: '${dataset}' is not supported; expected DATASET POLYDATA or UNSTRUCTURED_GRID`);
  let coords: Float64Array | undefined;
  const properties: Record<string, Float64Array> = {};
  let n = 0;
  for (let l = c.line(); l !== undefined; l = c.line()) {
    const [key, ...rest] = l.split(/\s+/);
    switch (key.toUpperCase()) {
      case 'POINTS': n = Number(rest[0]); coords = c.numbers(3 * n, rest[1].toLowerCase()); break;
      case 'VERTICES': case 'LINES': case 'POLYGONS': case 'TRIANGLE_STRIPS': case 'CELLS': c.numbers(Number(rest[1]), 'int'); break;
      case 'CELL_TYPES': c.numbers(Number(rest[0]), 'int'); break;
      case 'POINT_DATA': if (Number(rest[0]) !== n) throw new Error(`${path}: POINT_DATA ${rest[0]} for ${n} points`); break;
      case 'SCALARS': {
        const comps = Number(rest[2] ?? 1);
        const lut = c.line();
        if (!lut?.toUpperCase().startsWith('LOOKUP_TABLE')) throw new Error(`${path}: SCALARS ${rest[0]} needs a LOOKUP_TABLE line`);
        const v = c.numbers(n * comps, rest[1].toLowerCase());
        if (comps === 1) properties[rest[0]] = v;
        else for (let k = 0; k < comps; k++) properties[`${rest[0]}${k}`] = Float64Array.from({ length: n }, (_, i) => v[i * comps + k]);
        break;
      }
      case 'FIELD': {
        const arrays = Number(rest[1]);
        for (let a = 0; a < arrays; a++) {
          const [name, comps, tuples, type] = (c.line() ?? '').split(/\s+/);
          const v = c.numbers(Number(comps) * Number(tuples), type.toLowerCase());
          if (Number(comps) === 1 && Number(tuples) === n) properties[name] = v;
        }
        break;
      }
      case 'CELL_DATA': return done();
      default: throw new Error(`${path}: unsupported VTK section '${key}'`);
    }
  }
  return done();
  function done() {
    if (!coords) throw new Error(`${path}: no POINTS section`);
    return { coords, properties };
  }
}
