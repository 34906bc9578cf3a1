// What a picture shows, stored inside the PNG (a tEXt chunk 'ClearMap' holding JSON), so the picture
// explains itself in any viewer and the run report can caption it and draw its colour legend.
import type { Rgb } from './rgba.js';

export interface LegendItem { label: string; color: string }

export interface PictureInfo {
  /** One line: what was drawn (planes, window, contrast limits…). */
  description: string;
  legend?: LegendItem[];
}

export const INFO_KEYWORD = 'ClearMap';

export function hexColor(c: Rgb): string {
  return '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');
}

/** tEXt chunks hold Latin-1 only: characters beyond it are written as JSON \u escapes. */
export function infoText(info: PictureInfo): Record<string, string> {
  const json = JSON.stringify(info).replace(/[\u0100-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return { [INFO_KEYWORD]: json };
}

/** The PictureInfo of a PNG, read from its chunks without decoding the pixels; undefined when absent. */
export function readPictureInfo(png: Uint8Array): PictureInfo | undefined {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let o = 8; // signature
  while (o + 8 <= png.length) {
    const length = view.getUint32(o);
    const type = String.fromCharCode(png[o + 4], png[o + 5], png[o + 6], png[o + 7]);
    if (type === 'IEND') return undefined; // (fast-png writes text after the pixels; chunks are skipped by length)
    if (type === 'tEXt') {
      const body = png.subarray(o + 8, o + 8 + length);
      const nul = body.indexOf(0);
      const keyword = new TextDecoder('latin1').decode(body.subarray(0, nul));
      if (keyword === INFO_KEYWORD) return JSON.parse(new TextDecoder('latin1').decode(body.subarray(nul + 1))) as PictureInfo;
    }
    o += 12 + length;
  }
  return undefined;
}
