// ImageJ's TIFF ImageDescription: "ImageJ=1.11a\nimages=30\nslices=30\nunit=micron\nspacing=5\n".
// ImageJ stores x/y pixel size as XResolution = pixels per `unit` and the z step as `spacing`.

export type ImageJInfo = Record<string, string>;

export function parseImageJDescription(description: string | undefined): ImageJInfo | undefined {
  if (!description || !description.startsWith('ImageJ=')) return undefined;
  const info: ImageJInfo = {};
  for (const line of description.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) info[line.slice(0, eq).trim()] = line.slice(eq + 1).replace(/\0+$/, '').trim();
  }
  return info;
}

/** Micrometres per `unit` as ImageJ spells units; undefined when the unit is missing or unknown. */
export function micronsPerUnit(unit: string | undefined): number | undefined {
  if (!unit) return undefined;
  const u = unit.replace(/\\u00B5/gi, 'µ').trim().toLowerCase();
  if (['micron', 'microns', 'um', 'µm', 'μm', 'micrometer', 'micrometre'].includes(u)) return 1;
  if (u === 'nm' || u === 'nanometer') return 1e-3;
  if (u === 'mm' || u === 'millimeter') return 1e3;
  if (u === 'cm' || u === 'centimeter') return 1e4;
  return undefined;
}

/**
 * The description our writer puts on the first page (same inputs -> same bytes). With `channels` > 1
 * the planes are a hyperstack, channel fastest (ImageJ's XYCZT order): planes = channels x slices.
 */
export function composeImageJDescription(planes: number, voxelSize: [number, number, number] | undefined, channels = 1): string {
  const lines = ['ImageJ=1.11a', `images=${planes}`];
  if (channels > 1) lines.push(`channels=${channels}`, `slices=${planes / channels}`, 'hyperstack=true', 'mode=composite');
  else lines.push(`slices=${planes}`);
  if (voxelSize) lines.push('unit=micron', `spacing=${voxelSize[2]}`);
  lines.push('loop=false');
  return lines.join('\n') + '\n';
}
