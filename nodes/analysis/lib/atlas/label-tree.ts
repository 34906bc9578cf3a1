// Atlas label information, as ClearMap 0.9.2's Analysis/Label.py (LabelInfo): for every region id its
// name, acronym, colour, parent, level (depth below the top: root = 0) and ClearMap's `collapse` flag.
// Sources: ClearMap's annotation table (ARA2_annotation_info_collapse.csv:
//   id,name,acronym,red,green,blue,structure_order,parent_id,parent_acronym,collapse),
// the Allen Institute structure graph JSON (nested `children`, `color_hex_triplet`), and BrainGlobe's
// structures.json / structures.csv (flat list with `structure_id_path`).
//
// `level` means the same depth whatever the file: root (997 in Allen atlases) and the background
// (id 0) are level 0. The Allen JSON graphs put a `universe` node (id 0) above root; it is read as the
// background entry, not as an ancestor, so `level: 5` selects the same regions with the JSON graph,
// ClearMap's CSV or BrainGlobe's structures.
import { readFileSync } from 'node:fs';

/** Which kind of label file a tree came from. */
export type LabelFormat = 'clearmap-csv' | 'allen-json' | 'brainglobe';

/** The `structures` artefact value: a label tree in a JSON-serialisable form (see LabelTree.toStructures). */
export interface StructuresValue {
  kind: 'structures';
  /** Where the labels came from (file or atlas name), for messages. */
  source: string;
  format: LabelFormat;
  /** One entry per region in file order: [id, acronym, name, parent (-1 = top), [r, g, b], collapse, structureOrder]. */
  regions: [number, string, string, number, [number, number, number], boolean, number][];
}

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

  private constructor(readonly source: string, readonly format: LabelFormat) {}

  private static build(source: string, entries: Omit<LabelRecord, 'level'>[], format: LabelFormat): LabelTree {
    const tree = new LabelTree(source, format);
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
    if (header.includes('structure_id_path') || header.includes('parent_structure_id')) return LabelTree.fromBrainGlobeCsv(header, lines, source);
    // ClearMap's table: the header names the columns (a file without id and parent_id is not a label table)
    for (const need of ['id', 'parent_id']) {
      if (!header.includes(need)) {
        throw new Error(`${source}: not a recognised label table: the header has no '${need}' column (expected ClearMap's id,name,acronym,red,green,blue,structure_order,parent_id,parent_acronym[,collapse] or BrainGlobe's acronym,id,name,structure_id_path,parent_structure_id)`);
      }
    }
    const col = (name: string) => header.indexOf(name);
    const c = { id: col('id'), name: col('name'), acronym: col('acronym'), red: col('red'), green: col('green'), blue: col('blue'),
      order: col('structure_order'), parent: col('parent_id'), collapse: col('collapse') };
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
    return LabelTree.build(source, entries, 'clearmap-csv');
  }

  /** BrainGlobe's structures.csv: acronym,id,name,structure_id_path ("/997/8/"),parent_structure_id. */
  private static fromBrainGlobeCsv(header: string[], lines: string[], source: string): LabelTree {
    const col = (name: string) => header.indexOf(name);
    if (col('id') < 0) throw new Error(`${source}: BrainGlobe structures table without an 'id' column`);
    const list = lines.slice(1).map((l, i) => {
      const row = splitCsvLine(l);
      const get = (name: string) => (col(name) >= 0 ? row[col(name)] : undefined);
      const pathText = get('structure_id_path');
      const id = Number(get('id'));
      let path: number[];
      if (pathText !== undefined && pathText.trim() !== '') path = pathText.split('/').filter((p) => p.trim() !== '').map(Number);
      else {
        const parent = get('parent_structure_id');
        path = parent === undefined || parent.trim() === '' ? [id] : [Number(parent), id];
      }
      if (!Number.isInteger(id) || path.some((p) => !Number.isInteger(p))) throw new Error(`${source}: line ${i + 2}: id or structure_id_path is not an integer list`);
      return { id, acronym: get('acronym') ?? '', name: get('name') ?? '', structure_id_path: path };
    });
    return LabelTree.fromBrainGlobeStructures(list, source);
  }

  /**
   * BrainGlobe's structures.json: [{id, acronym, name, structure_id_path: [997, 8, ..., id], rgb_triplet}].
   * The parent is the second-last entry of structure_id_path (the hierarchy is kept). Id 0 (outside the
   * brain) is added as the background entry unless present.
   */
  static fromBrainGlobeStructures(json: unknown, source = 'structures.json'): LabelTree {
    if (!Array.isArray(json)) throw new Error(`${source}: BrainGlobe structures must be a JSON list of regions`);
    const entries: Omit<LabelRecord, 'level'>[] = [];
    json.forEach((s, i) => {
      const where = `${source}: entry ${i}`;
      if (!s || typeof s !== 'object') throw new Error(`${where} is not an object`);
      const r = s as Record<string, unknown>;
      if (!Number.isInteger(r.id)) throw new Error(`${where} has no integer 'id'`);
      const path = r.structure_id_path;
      if (!Array.isArray(path) || path.length === 0 || !path.every((p) => Number.isInteger(p))) throw new Error(`${where} (id ${r.id}): 'structure_id_path' must be a non-empty list of ids`);
      if (path[path.length - 1] !== r.id) throw new Error(`${where} (id ${r.id}): structure_id_path ${JSON.stringify(path)} does not end with the region's own id`);
      const rgb = Array.isArray(r.rgb_triplet) && r.rgb_triplet.length === 3 && r.rgb_triplet.every((v) => Number.isInteger(v)) ? r.rgb_triplet as [number, number, number] : [0, 0, 0] as [number, number, number];
      entries.push({
        id: r.id as number, acronym: String(r.acronym ?? ''), name: String(r.name ?? ''), color: [rgb[0], rgb[1], rgb[2]],
        parent: path.length >= 2 ? path[path.length - 2] as number : -1, collapse: r.collapse === true, structureOrder: i,
      });
    });
    if (!entries.some((e) => e.id === 0)) {
      entries.unshift({ id: 0, name: 'background', acronym: 'background', color: [0, 0, 0], parent: -1, collapse: true, structureOrder: -1 });
    }
    return LabelTree.build(source, entries, 'brainglobe');
  }

  /** The tree as the `structures` artefact value. */
  toStructures(): StructuresValue {
    return {
      kind: 'structures', source: this.source, format: this.format,
      regions: this.ids.map((id) => { const r = this.records.get(id)!; return [r.id, r.acronym, r.name, r.parent, r.color, r.collapse, r.structureOrder]; }),
    };
  }

  /** Rebuild a tree from a `structures` artefact value. */
  static fromStructures(value: unknown, where = 'structures'): LabelTree {
    const v = value as StructuresValue;
    if (!v || typeof v !== 'object' || v.kind !== 'structures' || !Array.isArray(v.regions)) {
      throw new Error(`${where}: expected a structures artefact (the 'structures' output of an 'atlas' node)`);
    }
    const entries = v.regions.map(([id, acronym, name, parent, color, collapse, structureOrder]) => ({ id, acronym, name, parent, color, collapse, structureOrder }));
    return LabelTree.build(v.source, entries, v.format);
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
        parent, collapse: n.collapse === true || id === 0, structureOrder: Number.isInteger(n.graph_order) ? (n.graph_order as number) : order,
      });
      order++;
      const children = n.children ?? [];
      if (!Array.isArray(children)) throw new Error(`${source}: ${path}.children is not an array`);
      // id 0 ('universe' in Allen's graphs) is the outside of the brain, not an ancestor: its children
      // are top-level, so root is level 0 as in ClearMap's CSV and BrainGlobe's structures
      children.forEach((c, i) => visit(c, id === 0 ? -1 : id, `${path}.children[${i}]`));
    };
    roots.forEach((r, i) => visit(r, -1, `root[${i}]`));
    if (!entries.some((e) => e.id === 0)) {
      entries.unshift({ id: 0, name: 'background', acronym: 'background', color: [0, 0, 0], parent: -1, collapse: true, structureOrder: -1 });
    }
    return LabelTree.build(source, entries, 'allen-json');
  }

  /** Load a .csv (ClearMap table) or .json (Allen structure graph) file. */
  static load(path: string): LabelTree {
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch (e) { throw new Error(`${path}: cannot read label file (${(e as Error).message})`); }
    if (/\.json$/i.test(path)) {
      let json: unknown;
      try { json = JSON.parse(text); } catch (e) { throw new Error(`${path}: not valid JSON (${(e as Error).message})`); }
      return LabelTree.fromJson(json, path);
    }
    if (/\.csv$/i.test(path)) return LabelTree.fromAnnotationCsv(text, path);
    throw new Error(`${path}: label file must be a ClearMap annotation table (.csv), an Allen structure graph (.json) or BrainGlobe structures (.json/.csv)`);
  }

  /** A parsed JSON label file: BrainGlobe structures (a list with structure_id_path) or an Allen graph. */
  static fromJson(json: unknown, source: string): LabelTree {
    const list = Array.isArray(json) ? json : undefined;
    const first = list?.[0] as Record<string, unknown> | undefined;
    if (list && first && typeof first === 'object' && 'structure_id_path' in first) return LabelTree.fromBrainGlobeStructures(list, source);
    const roots = list ?? (json && typeof json === 'object' && Array.isArray((json as { msg?: unknown }).msg) ? (json as { msg: unknown[] }).msg : [json]);
    const graphLike = roots.length > 0 && roots.every((r) => r && typeof r === 'object' && Number.isInteger((r as { id?: unknown }).id)
      && ('children' in (r as object) || 'acronym' in (r as object)));
    if (!graphLike) {
      throw new Error(`${source}: not a recognised label file: expected BrainGlobe structures (a list of {id, acronym, name, structure_id_path}) or an Allen structure graph ({id, acronym, name, children} or {msg: [...]})`);
    }
    return LabelTree.fromAllenJson(json, source);
  }

  /** Ids from the top down to `id` (BrainGlobe's structure_id_path; the background is its own path). */
  structurePath(id: number): number[] {
    const out: number[] = [];
    for (let r = this.records.get(id); r; r = r.parent >= 0 ? this.records.get(r.parent) : undefined) out.push(r.id);
    return out.reverse();
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
