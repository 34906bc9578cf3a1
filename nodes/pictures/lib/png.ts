// RGBA pictures → PNG bytes (fast-png; opaque pictures are stored as RGB), with an optional PictureInfo
// text chunk. The encoding is a pure function of pixels and info (no time chunk), so the same picture
// gives the same bytes.
import { encode } from 'fast-png';
import { writeFileAtomic } from '../../../engine/data/atomic.js';
import { infoText, type PictureInfo } from './picture-info.js';
import type { RgbaImage } from './rgba.js';

export function encodePng(img: RgbaImage, info?: PictureInfo): Uint8Array {
  const text = info ? infoText(info) : undefined;
  let opaque = true;
  for (let i = 3; i < img.data.length; i += 4) if (img.data[i] !== 255) { opaque = false; break; }
  if (!opaque) return encode({ width: img.width, height: img.height, data: img.data, channels: 4, depth: 8, text });
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; i < img.data.length; i += 4, j += 3) {
    rgb[j] = img.data[i]; rgb[j + 1] = img.data[i + 1]; rgb[j + 2] = img.data[i + 2];
  }
  return encode({ width: img.width, height: img.height, data: rgb, channels: 3, depth: 8, text });
}

/** Encode and write atomically (temp file + rename). */
export function writePng(path: string, img: RgbaImage, info?: PictureInfo): void {
  writeFileAtomic(path, encodePng(img, info));
}
