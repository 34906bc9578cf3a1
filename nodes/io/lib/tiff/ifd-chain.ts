// Walk a TIFF's image-directory (IFD) chain before geotiff does: geotiff's getImageCount() follows
// next-IFD pointers without checking for loops, so a file whose chain points back hangs it forever
// while memory grows. Here every directory must lie inside the file and no offset may repeat.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Throws an Error naming the file when the IFD chain loops or leaves the file. Non-TIFF files pass (geotiff reports them). */
export function checkIfdChain(path: string): void {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(16);
    const got = readSync(fd, head, 0, 16, 0);
    if (got < 8) return;
    const order = head.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') return;
    const le = order === 'II';
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const magic = u16(head, 2);
    if (magic !== 42 && magic !== 43) return;
    const big = magic === 43;
    if (big && got < 16) throw new Error(`${path}: file is truncated: BigTIFF header needs 16 bytes, the file has ${size}`);
    const countBytes = big ? 8 : 2, entryBytes = big ? 20 : 12, nextBytes = big ? 8 : 4;
    let offset = big ? u64(head, 8) : u32(head, 4);
    const seen = new Set<number>();
    const buf = Buffer.alloc(8);
    for (let i = 0; offset !== 0; i++) {
      if (seen.has(offset)) throw new Error(`${path}: corrupt TIFF: the image directory chain loops back to byte ${offset} after ${i} directories`);
      seen.add(offset);
      if (offset + countBytes > size) throw new Error(`${path}: corrupt TIFF: the image directory of page ${i} at byte ${offset} starts past the end of the file (${size} bytes; truncated or damaged)`);
      readSync(fd, buf, 0, countBytes, offset);
      const entries = big ? u64(buf, 0) : u16(buf, 0);
      const nextAt = offset + countBytes + entries * entryBytes;
      if (nextAt + nextBytes > size) throw new Error(`${path}: corrupt TIFF: the image directory of page ${i} at byte ${offset} ends past the end of the file (${size} bytes; truncated or damaged)`);
      readSync(fd, buf, 0, nextBytes, nextAt);
      offset = big ? u64(buf, 0) : u32(buf, 0);
    }
  } finally {
    closeSync(fd);
  }
}
