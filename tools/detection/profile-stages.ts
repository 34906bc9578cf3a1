// Time each detection stage on a stack: node dist/tools/detection/profile-stages.js <tiff|dir> [params-json]
import { readTiffStack } from './tiff-stack.js';
import { removeBackground } from '../../nodes/detection/lib/background.js';
import { filterDoG } from '../../nodes/detection/lib/filters.js';
import { findCentres, findExtendedMaxima } from '../../nodes/detection/lib/extended-maxima.js';
import { detectCellShape, seedMarkers } from '../../nodes/detection/lib/cell-shape.js';
import { maximaBox, resolveDetectParams } from '../../nodes/detection/lib/params.js';

async function main() {
  const vol = await readTiffStack(process.argv[2]);
  const p = resolveDetectParams(process.argv[3] ? JSON.parse(process.argv[3]) : {});
  const t = (label: string, f: () => unknown) => { const t0 = performance.now(); const r = f(); console.log(label.padEnd(12), ((performance.now() - t0) / 1000).toFixed(3), 's'); return r; };
  const img2 = t('background', () => removeBackground(vol, p.removeBackgroundParameter.size)) as ReturnType<typeof removeBackground>;
  const img3 = t('dog', () => filterDoG(img2, p.filterDoGParameter.size, p.filterDoGParameter.sigma, p.filterDoGParameter.sigma2)) as ReturnType<typeof filterDoG>;
  const mx = p.findExtendedMaximaParameter;
  const maxima = t('maxima', () => findExtendedMaxima(img3.data, vol.shape, mx.hMax, maximaBox(mx.size), mx.threshold)) as Uint8Array;
  const thr = p.detectCellShapeParameter.threshold ?? 0;
  if (mx.hMax === null) for (let i = 0; i < maxima.length; i++) if (maxima[i] && !(img2.data[i] > thr)) maxima[i] = 0;
  const centres = (t("centres", () => findCentres(vol.data, maxima, vol.shape, mx.hMax)) as { local: Float64Array }).local;
  const markers = seedMarkers(centres, vol.shape, { zOffset: 0 });
  t('watershed', () => detectCellShape(img2.data, markers, vol.shape, thr));
  console.log('centres', centres.length / 3);
}
main();
