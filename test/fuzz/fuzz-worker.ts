// Worker thread of the fuzz test: opens and fully reads each mutated file it is sent, and reports
// whether it was read or refused with which message. Runs in a worker so the test thread can
// terminate it when one file takes too long (a hang) and see a crash as a worker error.
import { parentPort } from 'node:worker_threads';
import { openVolume } from '../../nodes/io/lib/formats.js';
import { readPointsFile } from '../../nodes/io/lib/points/points-files.js';
import { readRegion } from '../../engine/data/read.js';

export interface FuzzRequest { id: number; path: string; kind: 'volume' | 'points' }
export interface FuzzReply { id: number; ok: boolean; message?: string; errorName?: string }

parentPort!.on('message', async (req: FuzzRequest) => {
  try {
    if (req.kind === 'volume') {
      const v = await openVolume(req.path);
      // read everything a read-volume node would hand on, in z slabs as chunked nodes do
      for (let z = 0; z < v.shape[2]; z += 4) await readRegion(v.ref, { z: [z, Math.min(v.shape[2], z + 4)] });
    } else {
      readPointsFile(req.path);
    }
    parentPort!.postMessage({ id: req.id, ok: true } satisfies FuzzReply);
  } catch (e) {
    const err = e as Error;
    parentPort!.postMessage({ id: req.id, ok: false, message: String(err?.message ?? e), errorName: err?.name } satisfies FuzzReply);
  }
});
parentPort!.postMessage('ready');
