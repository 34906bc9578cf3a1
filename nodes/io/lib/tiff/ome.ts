// OME-TIFF metadata: the OME-XML in page 0's ImageDescription says how the IFDs map to (c, z, t)
// (`DimensionOrder`, `SizeC/Z/T`) and the physical voxel size (`PhysicalSizeX/Y/Z` with units).
// Without it a 2-channel stack reads as twice the planes with a made-up voxel size.
//
// Only what a volume reader needs is parsed: the first <Image>'s <Pixels> attributes and the
// IFD offset of its first <TiffData>. Files whose planes are spread over several files (TiffData with
// a <UUID FileName=...>) are refused with a clear message rather than read wrongly.

export interface OmeInfo {
  sizeX: number;
  sizeY: number;
  sizeZ: number;
  sizeC: number;
  sizeT: number;
  /** e.g. XYZCT: the IFD order, first letter fastest after X and Y. */
  dimensionOrder: string;
  /** µm per voxel along x, y, z; null where the file does not say. */
  physicalSize: [number | null, number | null, number | null];
  /** IFD holding plane (c=0, z=0, t=0). */
  firstIfd: number;
  /** Pixel type as OME spells it (uint16, float, ...). */
  type?: string;
  /** Number of <Image> elements (series) in the file; only the first is read. */
  images: number;
  /** TiffData refers to other files. */
  multiFile: boolean;
}

const ORDERS = ['XYZCT', 'XYZTC', 'XYCTZ', 'XYCZT', 'XYTCZ', 'XYTZC'];

/** µm per unit of OME's UnitsLength (default µm); undefined for units this reader does not know. */
export function omeMicronsPerUnit(unit: string | undefined): number | undefined {
  if (unit === undefined) return 1;
  const table: Record<string, number> = {
    'm': 1e6, 'dm': 1e5, 'cm': 1e4, 'mm': 1e3, 'µm': 1, 'μm': 1, 'um': 1, 'nm': 1e-3, 'pm': 1e-6, 'Å': 1e-4, 'ångström': 1e-4,
  };
  // TIFF ASCII is read byte by byte, so a UTF-8 'µm' arrives as 'Âµm' (and 'μm' as 'Î¼m')
  const u = unit.trim().replace(/^Â(µ)/, '$1').replace(/^Î¼/, 'μ');
  return table[u];
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/g)) out[m[1]] = unescapeXml(m[3] ?? m[4] ?? '');
  return out;
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e === 'amp') return '&';
    return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** True when an ImageDescription holds OME-XML. */
export function isOmeXml(description: string | undefined): boolean {
  return !!description && /<OME[\s>]/.test(description);
}

/** Parse OME-XML; throws an Error (without the file name: the caller adds it) when it is unusable. */
export function parseOmeXml(xml: string): OmeInfo {
  const imageCount = (xml.match(/<(?:\w+:)?Image[\s>]/g) ?? []).length;
  const pixels = /<(?:\w+:)?Pixels\s[^>]*>/.exec(xml);
  if (!pixels) throw new Error('OME-XML without a <Pixels> element');
  const a = attributes(pixels[0]);
  const int = (k: string, dflt?: number): number => {
    const v = a[k] === undefined ? dflt : Number(a[k]);
    if (v === undefined || !Number.isInteger(v) || v < 1) throw new Error(`OME-XML Pixels ${k}=${JSON.stringify(a[k])} is not a positive integer`);
    return v;
  };
  const order = (a.DimensionOrder ?? 'XYZCT').toUpperCase();
  if (!ORDERS.includes(order)) throw new Error(`OME-XML DimensionOrder '${a.DimensionOrder}' is not one of ${ORDERS.join(', ')}`);
  const size = (k: 'X' | 'Y' | 'Z'): number | null => {
    const raw = a[`PhysicalSize${k}`];
    if (raw === undefined) return null;
    const v = Number(raw), scale = omeMicronsPerUnit(a[`PhysicalSize${k}Unit`]);
    if (!(v > 0) || scale === undefined) return null;
    return v * scale;
  };
  // the first TiffData inside these Pixels (IFD defaults to 0)
  const rest = xml.slice(pixels.index + pixels[0].length);
  const td = /<(?:\w+:)?TiffData(\s[^>]*)?\/?>/.exec(rest);
  const tdAttrs = td ? attributes(td[0]) : {};
  const multiFile = /<(?:\w+:)?UUID\s[^>]*FileName\s*=/.test(rest.split(/<\/(?:\w+:)?Pixels>/)[0] ?? '');
  const firstIfd = tdAttrs.IFD !== undefined ? Number(tdAttrs.IFD) : 0;
  return {
    sizeX: int('SizeX'), sizeY: int('SizeY'), sizeZ: int('SizeZ', 1), sizeC: int('SizeC', 1), sizeT: int('SizeT', 1),
    dimensionOrder: order,
    physicalSize: [size('X'), size('Y'), size('Z')],
    firstIfd: Number.isInteger(firstIfd) && firstIfd >= 0 ? firstIfd : 0,
    type: a.Type,
    images: imageCount,
    multiFile,
  };
}

/** IFD index (relative to firstIfd) of plane (c, z, t) for a DimensionOrder such as XYCZT. */
export function omePlaneIndex(ome: Pick<OmeInfo, 'dimensionOrder' | 'sizeZ' | 'sizeC' | 'sizeT'>, c: number, z: number, t: number): number {
  const sizes: Record<string, number> = { Z: ome.sizeZ, C: ome.sizeC, T: ome.sizeT };
  const index: Record<string, number> = { Z: z, C: c, T: t };
  let stride = 1, i = 0;
  for (const d of ome.dimensionOrder.slice(2)) {
    i += index[d] * stride;
    stride *= sizes[d];
  }
  return i;
}

/**
 * Which IFDs (indices into the file's pages) form the z-stack of `channel` at timepoint 0.
 * Throws naming what to set when the choice is ambiguous.
 */
export function omeStackPages(ome: OmeInfo, pageCount: number, channel: number | undefined, channelKey = 'SizeC'): number[] {
  if (ome.multiFile) throw new Error('OME-TIFF whose planes are spread over several files (TiffData with UUID FileName) is not supported; open the companion files as a per-plane pattern or convert with bfconvert');
  if (ome.sizeT > 1) throw new Error(`OME-TIFF with SizeT=${ome.sizeT} timepoints; only single-timepoint stacks are supported (extract one timepoint first)`);
  checkChannel(ome.sizeC, channel, channelKey);
  const c = channel ?? 0;
  const need = ome.firstIfd + ome.sizeZ * ome.sizeC * ome.sizeT;
  if (need > pageCount) throw new Error(`OME-XML describes ${ome.sizeZ * ome.sizeC * ome.sizeT} planes (SizeZ=${ome.sizeZ}, SizeC=${ome.sizeC}, SizeT=${ome.sizeT}) from IFD ${ome.firstIfd} on, but the file has only ${pageCount} pages`);
  return Array.from({ length: ome.sizeZ }, (_, z) => ome.firstIfd + omePlaneIndex(ome, c, z, 0));
}

/** The shared rule for multi-channel files: a channel must be picked, and must exist. */
export function checkChannel(channels: number, channel: number | undefined, what: string): void {
  if (channels > 1 && channel === undefined) {
    throw new Error(`${channels} channels: ${what}=${channels}; set 'channel' (0..${channels - 1}) to pick one`);
  }
  if (channel !== undefined && !(Number.isInteger(channel) && channel >= 0 && channel < channels)) {
    throw new Error(`channel ${channel} does not exist; the file has ${channels} channel${channels > 1 ? `s (0..${channels - 1})` : ' (0)'}`);
  }
}

const OME_TYPES: Record<string, string> = { uint8: 'uint8', uint16: 'uint16', int32: 'int32', float32: 'float', float64: 'double' };

function fmt(v: number): string {
  // shortest round-trip decimal; OME wants xsd:float, which this is
  return String(v);
}

/**
 * OME-XML for a stack written plane by plane with the channel fastest (DimensionOrder XYCZT, the
 * order ImageJ hyperstacks use too). Deterministic: no UUID, no date.
 */
export function composeOmeXml(opts: { sizeX: number; sizeY: number; sizeZ: number; sizeC?: number; dtype: string; voxelSize?: [number, number, number] }): string {
  const c = opts.sizeC ?? 1;
  const type = OME_TYPES[opts.dtype];
  if (!type) throw new Error(`OME-TIFF: no OME pixel type for ${opts.dtype}`);
  const phys = opts.voxelSize
    // the unit attributes default to µm; leaving them out keeps the description 7-bit ASCII as TIFF wants
    ? ` PhysicalSizeX="${fmt(opts.voxelSize[0])}" PhysicalSizeY="${fmt(opts.voxelSize[1])}" PhysicalSizeZ="${fmt(opts.voxelSize[2])}"`
    : '';
  const channels = Array.from({ length: c }, (_, i) => `<Channel ID="Channel:0:${i}" SamplesPerPixel="1"/>`).join('');
  return '<?xml version="1.0" encoding="UTF-8"?>'
    + '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    + ' xsi:schemaLocation="http://www.openmicroscopy.org/Schemas/OME/2016-06 http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd" Creator="ClearMap.ts">'
    + `<Image ID="Image:0" Name="Image0"><Pixels ID="Pixels:0" DimensionOrder="XYCZT" Type="${type}" SizeX="${opts.sizeX}" SizeY="${opts.sizeY}" SizeC="${c}" SizeZ="${opts.sizeZ}" SizeT="1"${phys}>`
    + `${channels}<TiffData IFD="0" PlaneCount="${c * opts.sizeZ}"/></Pixels></Image></OME>`;
}

/** True when a destination path asks for OME-TIFF. */
export function isOmeTiffPath(path: string): boolean {
  return /\.ome\.tiff?$/i.test(path);
}

/**
 * ImageJ hyperstacks as an OME-like layout: ImageJ orders planes channel fastest, then slice, then
 * frame (XYCZT). `channels=`, `slices=`, `frames=` default to 1, slices to the remaining planes.
 */
export function imagejLayout(ij: Record<string, string>, pageCount: number): OmeInfo {
  const n = (k: string): number | undefined => (ij[k] === undefined ? undefined : Number(ij[k]));
  const c = n('channels') ?? 1, t = n('frames') ?? 1;
  const images = n('images') ?? pageCount;
  const z = n('slices') ?? Math.max(1, Math.floor(images / (c * t)));
  for (const [k, v] of [['channels', c], ['slices', z], ['frames', t]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`ImageJ description ${k}=${ij[k]} is not a positive integer`);
  }
  return { sizeX: 0, sizeY: 0, sizeZ: z, sizeC: c, sizeT: t, dimensionOrder: 'XYCZT', physicalSize: [null, null, null], firstIfd: 0, images: 1, multiFile: false };
}

/**
 * The pages of one channel's z-stack, from the OME-XML when the file has it, else from the ImageJ
 * hyperstack description, else every page. Errors name the file.
 */
export function stackPlanes<P>(path: string, pages: P[], description: string | undefined, imagej: Record<string, string> | undefined, channel: number | undefined): { planes: P[]; ome?: OmeInfo } {
  try {
    if (isOmeXml(description)) {
      const ome = parseOmeXml(description!);
      return { planes: omeStackPages(ome, pages.length, channel).map((i) => pages[i]), ome };
    }
    if (imagej && (imagej.channels !== undefined || imagej.frames !== undefined)) {
      const layout = imagejLayout(imagej, pages.length);
      return { planes: omeStackPages(layout, pages.length, channel, 'channels').map((i) => pages[i]) };
    }
    checkChannel(1, channel, 'channels');
    return { planes: pages };
  } catch (e) {
    const what = isOmeXml(description) ? 'OME-TIFF' : imagej ? 'ImageJ hyperstack' : 'TIFF';
    throw new Error(`${path}: ${what}: ${(e as Error).message}`);
  }
}
