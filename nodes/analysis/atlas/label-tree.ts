// Atlas label information, as ClearMap 0.9.2's Analysis/Label.py (LabelInfo): for every region id its
// name, acronym, colour, parent, level (depth below the top: root = 0) and ClearMap's `collapse` flag.
// Sources: ClearMap's annotation table (ARA2_annotation_info_collapse.csv:
//   id,name,acronym,red,green,blue,structure_order,parent_id,parent_acronym,collapse)
// and the Allen Institute structure graph JSON (nested `children`, `color_hex_triplet`).
import { readFileSync } from 'node:fs';

export interface LabelRecord {
  id: number;
  name: string;
  acronym: string;
  color: [number, number, number];
  /** Parent id, or -1 for a top-level entry (ClearMap's `_labelToInt('')`). */
  parent: number;
  level: number;
  /** ClearMap's collapse mark: counts can be collapsed up to the nearest marked ancestor. */
  collapse: boolean;
  structureOrder: number;
}

/** Split one CSV line (RFC 4180 quoting, as Python's csv module reads ClearMap's table). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

export class LabelTree {
  readonly records = new Map<number, LabelRecord>();
  /** Ids in file order (ClearMap's Label.ids). */
  readonly ids: number[] = [];
  private readonly childIds = new Map<number, number[]>();

  private constructor(readonly source: string) {}

  private static build(source: string, entries: Omit<LabelRecord, 'level'>[]): LabelTree {
    const tree = new LabelTree(source);
    for (const e of entries) {
      if (tree.records.has(e.id)) throw new Error(`${source}: region id ${e.id} appears twice`);
      tree.records.set(e.id, { ...e, level: 0 });
      tree.ids.push(e.id);
    }
    for (const r of tree.records.values()) {
      if (r.parent >= 0 && !tree.records.has(r.parent)) throw new Error(`${source}: region ${r.id} (${r.acronym}) has parent ${r.parent}, which is not in the table`);
      if (r.parent >= 0) {
        const c = tree.childIds.get(r.parent) ?? [];
        c.push(r.id);
        tree.childIds.set(r.parent, c);
      }
    }
    // level = number of ancestors (ClearMap walks parents until none); a cycle would loop forever there
    for (const r of tree.records.values()) {
      let level = 0;
      for (let p = r.parent; p >= 0; p = tree.records.get(p)!.parent) {
        if (++level > tree.records.size) throw new Error(`${source}: the parent chain of region ${r.id} has a cycle`);
      }
      r.level = level;
    }
    return tree;
  }

  /** Parse ClearMap's annotation CSV (header line, then one region per line). */
  static fromAnnotationCsv(text: string, source = 'annotation table'): LabelTree {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length < 2) throw new Error(`${source}: expected a header line and at least one region`);
    const header = splitCsvLine(lines[0]).map((h) => h.trim().toLowerCase());
    const col = (name: string, fallback: number) => { const i = header.indexOf(name); return i >= 0 ? i : fallback; };
    const c = { id: col('id', 0), name: col('name', 1), acronym: col('acronym', 2), red: col('red', 3), green: col('green', 4), blue: col('blue', 5),
      order: col('structure_order', 6), parent: col('parent_id', 7), collapse: col('collapse', 9) };
    const int = (s: string | undefined, what: string, line: number, empty: number) => {
      if (s === undefined || s.trim() === '') return empty;
      const v = Number(s);
      if (!Number.isInteger(v)) throw new Error(`${source}: line ${line + 1}: ${what} '${s}' is not an integer`);
      return v;
    };
    const entries = lines.slice(1).map((l, i) => {
      const row = splitCsvLine(l);
      const ln = i + 1;
      const id = int(row[c.id], 'id', ln, NaN);
      if (Number.isNaN(id)) throw new Error(`${source}: line ${ln + 1}: missing id`);
      return {
        id, name: row[c.name] ?? '', acronym: row[c.acronym] ?? '',
        color: [int(row[c.red], 'red', ln, 0), int(row[c.green], 'green', ln, 0), int(row[c.blue], 'blue', ln, 0)] as [number, number, number],
        structureOrder: int(row[c.order], 'structure_order', ln, -1),
        parent: int(row[c.parent], 'parent_id', ln, -1),
        collapse: (row[c.collapse] ?? '') !== '', // ClearMap: any non-empty mark
      };
    });
    return LabelTree.build(source, entries);
  }

  /**
   * Parse an Allen structure graph: a root object, an array of roots, or the API envelope {msg: [...]}.
   * Nodes have id, name, acronym, color_hex_triplet, children (and optionally `collapse`: boolean).
   * Annotation volumes mark voxels outside the brain with 0, so an id 0 "background" entry is added
   * at the top (as in ClearMap's table) unless the graph has one.
   */
  static fromAllenJson(json: unknown, source = 'structure graph'): LabelTree {
    const roots: unknown[] = Array.isArray(json) ? json
      : json && typeof json === 'object' && Array.isArray((json as { msg?: unknown }).msg) ? (json as { msg: unknown[] }).msg
      : [json];
    const entries: Omit<LabelRecord, 'level'>[] = [];
    let order = 0;
    const visit = (node: unknown, parent: number, path: string) => {
      if (!node || typeof node !== 'object') throw new Error(`${source}: ${path} is not an object`);
      const n = node as Record<string, unknown>;
      if (!Number.isInteger(n.id)) throw new Error(`${source}: ${path} has no integer 'id'`);
      const hex = typeof n.color_hex_triplet === 'string' ? n.color_hex_triplet : '000000';
      if (!/^[0-9a-fA-F]{6}$/.test(hex)) throw new Error(`${source}: ${path}: color_hex_triplet '${hex}' is not 6 hex digits`);
      const id = n.id as number;
      entries.push({
        id, name: String(n.name ?? ''), acronym: String(n.acronym ?? ''),
        color: [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16)],
        parent, collapse: n.collapse === true, structureOrder: Number.isInteger(n.graph_order) ? (n.graph_order as number) : order,
      });
      order++;
      const children = n.children ?? [];
      if (!Array.isArray(children)) throw new Error(`${source}: ${path}.children is not an array`);
      children.forEach((c, i) => visit(c, id, `${path}.children[${i}]`));
    };
    roots.forEach((r, i) => visit(r, -1, `root[${i}]`));
    if (!entries.some((e) => e.id === 0)) {
      entries.unshift({ id: 0, name: 'background', acronym: 'background', color: [0, 0, 0], parent: -1, collapse: true, structureOrder: -1 });
    }
    return LabelTree.build(source, entries);
  }

  /** Load a .csv (ClearMap table) or .json (Allen structure graph) file. */
  static load(path: string): LabelTree {
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch (e) { throw new Error(`${path}: cannot read label file (${(e as Error).message})`); }
    if (/\.json$/i.test(path)) {
      let json: unknown;
      try { json = JSON.parse(text); } catch (e) { throw new Error(`${path}: not valid JSON (${(e as Error).message})`); }
      return LabelTree.fromAllenJson(json, path);
    }
    if (/\.csv$/i.test(path)) return LabelTree.fromAnnotationCsv(text, path);
    throw new Error(`${path}: label file must be a ClearMap annotation table (.csv) or an Allen structure graph (.json)`);
  }

  has(id: number): boolean { return this.records.has(id); }
  get(id: number): LabelRecord | undefined { return this.records.get(id); }
  children(id: number): readonly number[] { return this.childIds.get(id) ?? []; }

  /** ClearMap's toLabelAtLevel: walk up until the level is <= `level`; unknown ids are returned unchanged. */
  labelAtLevel(id: number, level: number): number {
    let r = this.records.get(id);
    if (!r) return id;
    while (r.level > level) r = this.records.get(r.parent)!;
    return r.id;
  }

  /** ClearMap's toLabelAtCollapse: walk up to the nearest ancestor-or-self marked `collapse` (or a top-level entry). */
  labelAtCollapse(id: number): number {
    let r = this.records.get(id);
    if (!r) return id;
    while (!r.collapse && r.level > 0) r = this.records.get(r.parent)!;
    return r.id;
  }

  /** The id and all ids below it. */
  descendants(id: number): Set<number> {
    if (!this.records.has(id)) throw new Error(`${this.source}: region id ${id} is not in the label table`);
    const out = new Set<number>([id]);
    const stack = [id];
    while (stack.length) for (const c of this.children(stack.pop()!)) { out.add(c); stack.push(c); }
    return out;
  }

  /** Find a region by acronym (exact) or id given as a number/string. */
  resolve(region: number | string): number {
    if (typeof region === 'number' || /^-?\d+$/.test(region)) {
      const id = Number(region);
      if (!this.records.has(id)) throw new Error(`${this.source}: region id ${id} is not in the label table`);
      return id;
    }
    for (const r of this.records.values()) if (r.acronym === region) return r.id;
    throw new Error(`${this.source}: no region with acronym '${region}'`);
  }
}
