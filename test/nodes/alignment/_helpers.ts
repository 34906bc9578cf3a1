// Shared helpers for the alignment tests: repo location (tests run from dist/), fixtures, a real
// NodeContext for running node types outside the engine, and a small TIFF plane reader for real data.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import type { NodeContext } from '../../../engine/core/node-type.js';
import type { Shape3, Volume } from '../../../engine/data/volume.js';
import { importExport, readRegion } from '../../../engine/data/read.js';
import { CELLFINDER_PLANES as CELLFINDER } from '../../shared-data.js';
import { ROOT } from '../../engine/helpers.js';

/** The repository root (shared with the engine tests). */
export function repoRoot(): string {
  return ROOT;
}

export function fixturePath(name: string): string {
  return join(repoRoot(), 'test', 'fixtures', 'alignment', name);
}

export function loadFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

const created: string[] = [];

/** A fresh temporary directory, removed by removeTempDirs() (each test file registers it in test.after.always). */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  created.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of created.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A NodeContext backed by real directories and the engine's real volume reader. */
export function makeContext(nodeId: string, opts: { workers?: number; baseDir?: string } = {}): NodeContext & { logs: string[] } {
  const workDir = tempDir(`align-test-${nodeId}-`);
  const logs: string[] = [];
  return {
    nodeId,
    workDir,
    baseDir: opts.baseDir ?? repoRoot(),
    outDir: workDir,
    workers: opts.workers ?? 2,
    log: (m: string) => { logs.push(m); },
    progress: () => {},
    readVolume: (ref, region) => readRegion(ref, region ? { ...region, z: region.z ?? [0, ref.shape[2]] } : undefined),
    // the engine runs these on its worker pool; here the same exported task functions run in-process
    parallel: async <T>(tasks: { module: string; export: string; args: unknown }[]) => {
      const out: T[] = [];
      for (const task of tasks) out.push(await (await importExport<(a: unknown) => Promise<T>>(task.module, task.export, 'pool task'))(task.args));
      return out;
    },
    signal: new AbortController().signal,
    logs,
  };
}

export { CELLFINDER };

/** Read planes [z0, z1) of a per-plane TIFF series (ch0/ch00000.tif, ch1/ch10000.tif ...) as one uint16 volume. */
export async function readPlanes(channel: string, z0: number, z1: number): Promise<Volume<Uint16Array>> {
  let data: Uint16Array | undefined;
  let X = 0, Y = 0;
  for (let z = z0; z < z1; z++) {
    const tiff = await fromFile(join(CELLFINDER, channel, `${channel}${String(z).padStart(4, '0')}.tif`));
    const img = await tiff.getImage(0);
    X = img.getWidth(); Y = img.getHeight();
    const r = (await img.readRasters({ samples: [0] })) as unknown as Uint16Array[];
    data ??= new Uint16Array(X * Y * (z1 - z0));
    data.set(r[0], (z - z0) * X * Y);
    await tiff.close();
  }
  const shape: Shape3 = [X, Y, z1 - z0];
  return { data: data!, shape, dtype: 'uint16', voxelSize: [2, 2, 5], origin: [0, 0, z0] };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
