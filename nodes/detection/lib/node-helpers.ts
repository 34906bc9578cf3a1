// Port declarations and overlaps shared by the detection step nodes.

export const volumeIn = { input: { type: 'volume' as const, description: 'image stack (e.g. the c-Fos channel)' } };
export const volumeOut = (what: string) => ({ output: { type: 'volume' as const, description: what } });

/** Planes of overlap a DoG/linear filter of this size needs on each side along z. */
export const dogZ = (p: Record<string, unknown>) => (Array.isArray(p.size) && typeof p.size[2] === 'number' ? p.size[2] >> 1 : 0);
export const dogXY = (p: Record<string, unknown>) => (Array.isArray(p.size) ? Math.ceil(Math.max(Number(p.size[0]) || 0, Number(p.size[1]) || 0) / 2) : 0);
