// Minimal TIFF stack reading for the detection tools and tests (one file per plane, or a multi-page
// file), via geotiff. The IO nodes (nodes/io) are the production path; this keeps the detection
// tests independent of them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { makeVolume, type Volume } from '../../engine/data/volume.js';

export async function readTiffStack(spec: string, zRange?: [number, number]): Promise<Volume> {
  let files: string[];
  if (statSync(spec).isDirectory()) files = readdirSync(spec).filter((f) => /\.tiff?$/i.test(f)).sort().map((f) => join(spec, f));
  else files = [spec];
  if (files.length === 0) throw new Error(`readTiffStack: no .tif files in ${spec}`);
  const planes: ArrayLike<number>[] = [];
  let X = 0, Y = 0;
  let ctor: 'uint16' | 'uint8' | 'float32' = 'uint16';
  for (const f of files) {
    const tiff = await fromFile(f);
    const n = await tiff.getImageCount();
    for (let i = 0; i < n; i++) {
      const image = await tiff.getImage(i);
      const r = (await image.readRasters({ interleave: true })) as unknown as ArrayLike<number>;
      if (X === 0) { X = image.getWidth(); Y = image.getHeight(); ctor = r instanceof Uint8Array ? 'uint8' : r instanceof Float32Array ? 'float32' : 'uint16'; }
      else if (image.getWidth() !== X || image.getHeight() !== Y) throw new Error(`readTiffStack: ${f} page ${i} is ${image.getWidth()}x${image.getHeight()}, expected ${X}x${Y}`);
      planes.push(r);
    }
    await tiff.close?.();
  }
  const [z0, z1] = zRange ?? [0, planes.length];
  const P = X * Y;
  const data = ctor === 'uint8' ? new Uint8Array(P * (z1 - z0)) : ctor === 'float32' ? new Float32Array(P * (z1 - z0)) : new Uint16Array(P * (z1 - z0));
  for (let z = z0; z < z1; z++) data.set(planes[z] as never, (z - z0) * P);
  return makeVolume(data, [X, Y, z1 - z0]);
}
