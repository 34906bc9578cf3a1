// TIFF volumes: a multi-page stack in one file, or one file per plane (a file pattern).
import { slabVolume } from '../../../../engine/data/slab-pool.js';
import { ELEMENT_TO_DTYPE } from '../element-types.js';
import { boxShape, type Box } from '../region.js';
import type { VolumeSource } from '../source.js';
import { firstVoxelPosition, openTiffFile, readTiffRegion, type TiffFileInfo } from './tiff-file.js';

export async function openTiffStack(path: string, channel?: number): Promise<VolumeSource> {
  const info = await openTiffFile(path, { channel });
  return {
    format: 'tiff',
    shape: [info.width, info.height, info.pages.length],
    dtype: ELEMENT_TO_DTYPE[info.element],
    voxelSize: info.voxelSize,
    files: [path],
    async readBox(box: Box, voxelSize, shared, into) {
      // every voxel of the box is written (strips or decoded pages), so a reused buffer is safe
      const v = slabVolume(ELEMENT_TO_DTYPE[info.element], boxShape(box), { voxelSize, shared, into, alignWith: firstVoxelPosition(info, box), origin: [box.x[0], box.y[0], box.z[0]] });
      await readTiffRegion(info, box, v.data);
      return v;
    },
  };
}

/**
 * One plane per file. `validateAll` parses every file up front (the main thread does this once so a
 * bad plane fails before any work starts); workers pass false and parse only the planes they read.
 */
export async function openTiffPlanes(files: string[], pattern: string, validateAll: boolean): Promise<VolumeSource> {
  if (files.length === 0) throw new Error(`file pattern ${pattern}: no files`);
  const infos = new Map<number, Promise<TiffFileInfo>>();
  const ref = await openPlane(files, 0, pattern);
  infos.set(0, Promise.resolve(ref));
  const plane = (z: number): Promise<TiffFileInfo> => {
    let p = infos.get(z);
    if (!p) {
      p = openPlane(files, z, pattern).then((info) => { checkSame(info, ref, z); return info; });
      p.catch(() => infos.delete(z)); // do not cache failures: the file may be fixed
      infos.set(z, p);
    }
    return p;
  };
  if (validateAll) for (let z = 1; z < files.length; z++) await plane(z);
  return {
    format: 'tiff-planes',
    shape: [ref.width, ref.height, files.length],
    dtype: ELEMENT_TO_DTYPE[ref.element],
    voxelSize: ref.voxelSize, // z from the ImageJ spacing of plane 0 when present (our planes writer stores it)
    files,
    async readBox(box: Box, voxelSize, shared, into) {
      const alignWith = firstVoxelPosition(await plane(box.z[0]), { ...box, z: [0, 1] });
      const v = slabVolume(ELEMENT_TO_DTYPE[ref.element], boxShape(box), { voxelSize, shared, into, alignWith, origin: [box.x[0], box.y[0], box.z[0]] });
      const planeSize = v.shape[0] * v.shape[1];
      for (let z = box.z[0]; z < box.z[1]; z++) {
        const info = await plane(z);
        await readTiffRegion(info, { x: box.x, y: box.y, z: [0, 1] }, v.data, (z - box.z[0]) * planeSize);
      }
      return v;
    },
  };
}

async function openPlane(files: string[], z: number, pattern: string): Promise<TiffFileInfo> {
  let info: TiffFileInfo;
  try {
    info = await openTiffFile(files[z]);
  } catch (e) {
    throw new Error(`plane ${z} of ${pattern}: ${(e as Error).message}`);
  }
  if (info.pages.length !== 1) {
    throw new Error(`plane ${z} of ${pattern}: ${files[z]} has ${info.pages.length} pages; a per-plane file must hold exactly one plane`);
  }
  return info;
}

function checkSame(info: TiffFileInfo, ref: TiffFileInfo, z: number): void {
  if (info.width !== ref.width || info.height !== ref.height || info.element !== ref.element) {
    throw new Error(`plane ${z}: ${info.path} is ${info.width}x${info.height} ${info.element} but plane 0 (${ref.path}) is ${ref.width}x${ref.height} ${ref.element}; all planes must match`);
  }
}
