// Where the project's shared real data lives: ../shared/data next to the checkout (as CI lays it out),
// else /work/shared/data, else $CLEARMAP_SHARED_DATA. Tests that use real data fail clearly without it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('../../', import.meta.url))); // dist/test/ -> repo root
const candidates = [process.env.CLEARMAP_SHARED_DATA, join(repo, '..', 'shared', 'data'), '/work/shared/data'].filter((p): p is string => !!p);

export const SHARED_DATA = candidates.find((p) => existsSync(join(p, 'cellfinder'))) ?? candidates[candidates.length - 1];
export const CELLFINDER_PLANES = join(SHARED_DATA, 'cellfinder', 'crop_planes');
