// What every reader checks before it opens an input: the path is a regular file. A FIFO would block
// the open (or the read) forever, a directory fails with a bare EISDIR, a device has no length.
import { statSync } from 'node:fs';

/** Throws an Error naming the file unless `path` is an existing regular file (symlinks followed). */
export function checkInputFile(path: string, what = 'file'): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    throw new Error(`${path}: cannot read (${code ?? (e as Error).message})`);
  }
  if (st.isFile()) return;
  const kind = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
  throw new Error(`${path}: is ${kind}; expected a regular ${what}`);
}

/**
 * Upper bound for data inflated from `compressedBytes` of deflate/gzip input (zlib's worst case is
 * about 1032:1): a header claiming more than this is lying, and nothing that large is allocated.
 */
export function maxInflatedBytes(compressedBytes: number): number {
  return compressedBytes * 1032 + 1024;
}

/** The same for any TIFF compression (LZW can reach a few thousand to one on uniform data). */
export function maxDecodedBytes(compressedBytes: number): number {
  return compressedBytes * 4096 + (1 << 20);
}
