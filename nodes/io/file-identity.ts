// Identity of input files for cache keys: path, size and modification time of each.
import { statSync } from 'node:fs';

export interface FileIdentity { path: string; size: number; mtimeMs: number }

export function fileIdentities(files: string[]): FileIdentity[] {
  return files.map((path) => {
    try {
      const s = statSync(path);
      return { path, size: s.size, mtimeMs: s.mtimeMs };
    } catch {
      throw new Error(`${path}: no such file`);
    }
  });
}
