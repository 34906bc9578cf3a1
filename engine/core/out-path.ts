// The results folder (--out) is a jail: every node that writes result files resolves its destination
// here, so `../x`, absolute paths and symlinked escapes are refused with one clear message. Also:
// folders are checked writable before any compute, and temp files left in --out by killed runs are
// swept (only those whose owner is provably dead).
import { accessSync, constants, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { HOST, isStale } from '../cache/owner.js';

/** Why `path` cannot name a result file inside the output folder, or undefined (syntax only). */
export function outPathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.trim() === '') return 'must be a non-empty path relative to the output directory (--out)';
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) return `'${path}' is absolute; result paths must be relative to the output directory (--out)`;
  if (path.split(/[\\/]+/).includes('..')) return `'${path}' leaves the output directory (--out); give a path relative to it, without '..'`;
  return undefined;
}

/**
 * Absolute destination of a result file inside outDir. `what` names the node and param for the
 * message (e.g. "node 'save': params.path"). Refuses absolute paths, '..' and a destination whose
 * existing parent folder is a symlink leading out of outDir.
 */
export function resolveOutPath(outDir: string, path: string, what = 'path'): string {
  const problem = outPathProblem(path);
  if (problem) throw new Error(`${what}: ${problem}`);
  const root = resolve(outDir);
  const dest = resolve(root, path);
  const rel = relative(root, dest);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${what}: '${path}' does not name a file inside the output folder ${root}`);
  // symlinks: the deepest existing ancestor must really lie inside the (real) output folder
  if (existsSync(root)) {
    let p = dirname(dest);
    while (!existsSync(p) && p !== root) p = dirname(p);
    const realRoot = realpathSync(root), realP = realpathSync(p);
    if (realP !== realRoot && !realP.startsWith(realRoot + sep)) throw new Error(`${what}: '${path}' leads out of the output folder ${root} (through a symbolic link)`);
  }
  return dest;
}

/**
 * Create `dir` if needed and prove it writable (a probe file is created and removed), so a read-only
 * or unwritable --out / --cache fails before any compute. Throws a message naming the folder.
 */
export function checkWritableDir(dir: string, label: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new Error(`${label} ${dir}: cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const probe = join(dir, `.clearmap-write-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    writeFileSync(probe, '');
  } catch (e) {
    throw new Error(`${label} ${dir}: not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another folder or fix its permissions`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Remove `*.tmp-<owner>` files under outDir left by killed runs (never those of live runs). */
export function sweepOutTemps(outDir: string, maxDepth = 4): number {
  let removed = 0;
  const walk = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth && !e.name.endsWith('.zarr')) walk(p, depth + 1);
        continue;
      }
      // `<name>.tmp-<host>~<pid>~<random>` (owner-tagged) or the older `<name>.tmp-<pid>`
      const legacy = /\.tmp-(\d+)$/.exec(e.name);
      const tagged = /\.tmp-[A-Za-z0-9._]+~\d+~[a-z0-9]+$/.test(e.name);
      if (!tagged && !legacy) continue;
      const name = legacy ? `x.tmp-${HOST}~${legacy[1]}~legacy` : e.name;
      if (isStale(p, name)) {
        rmSync(p, { force: true });
        removed++;
      }
    }
  };
  walk(resolve(outDir), 0);
  return removed;
}
