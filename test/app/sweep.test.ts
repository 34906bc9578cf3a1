// clearmap sweep on the real cellfinder crop: 3 variants of the cell threshold, background removal
// computed once (then cached), one page that opens in headless Chromium with 3 overlays and the counts.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CELLFINDER_PLANES } from '../shared-data.js';
import { runCli, tempDir, writeWorkflow } from '../engine/helpers.js';
import { combinations, parseCrop, parseVary, splitValues } from '../../app/sweep/sweep.js';

const CHROMIUM = '/usr/bin/chromium';

test('sweep arguments: crops, nested params, JSON values with commas, every combination', (t) => {
  t.deepEqual(parseCrop('200:456,:,5:'), { x: [200, 456], y: [null, null], z: [5, null] });
  t.throws(() => parseCrop('1:2,3:4'), { message: /expected x0:x1,y0:y1,z0:z1/ });
  t.deepEqual(splitValues('[7,7],[9,9],null'), ['[7,7]', '[9,9]', 'null']);
  const v = parseVary('cells.removeBackgroundParameter.size=[7,7],[9,9]');
  t.deepEqual([v.node, v.path, v.values], ['cells', ['removeBackgroundParameter', 'size'], [[7, 7], [9, 9]]]);
  t.deepEqual(combinations([parseVary('a.p=1,2'), parseVary('b.q="x","y"')]), [{ 'a.p': 1, 'b.q': 'x' }, { 'a.p': 1, 'b.q': 'y' }, { 'a.p': 2, 'b.q': 'x' }, { 'a.p': 2, 'b.q': 'y' }]);
});

test('sweep on the real crop: 3 variants, background removal computed once, one page with 3 overlays and counts', async (t) => {
  const dir = tempDir('cm-sweep-');
  const wf = writeWorkflow(dir, {
    version: 1, name: 'crop detection',
    nodes: [
      { id: 'signal', type: 'read-volume', params: { path: join(CELLFINDER_PLANES, 'ch0'), voxelSize: [2, 2, 5] } },
      { id: 'background', type: 'background', materialize: true, inputs: { input: 'signal.volume' }, params: { size: [13, 13] } },
      { id: 'cells', type: 'detect', inputs: { input: 'background.output' }, params: { cellDiameter: 12, peakHeight: 20, removeBackgroundParameter: { size: null } } },
    ],
  });
  const out = join(dir, 'sweep');
  const r = runCli(['sweep', wf, '--crop', '200:456,150:406,5:25', '--vary', 'cells.cellThreshold=100,200,400', '--cache', join(dir, 'cache'), '--out', out, '--workers', '2', '--quiet']);
  t.is(r.code, 0, r.stderr);
  const summary = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { variants: { cells: number; values: Record<string, unknown>; nodes: { id: string; status: string }[] }[] };
  const status = (i: number) => Object.fromEntries(summary.variants[i].nodes.map((n) => [n.id, n.status]));
  t.deepEqual(status(0), { signal: 'computed', background: 'computed', cells: 'computed' });
  t.deepEqual(status(1), { signal: 'cached', background: 'cached', cells: 'computed' });
  t.deepEqual(status(2), { signal: 'cached', background: 'cached', cells: 'computed' });
  const counts = summary.variants.map((v) => v.cells);
  t.deepEqual(summary.variants.map((v) => v.values['cells.cellThreshold']), [100, 200, 400]);
  t.true(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > 0, `a higher threshold keeps fewer cells: ${counts}`);

  if (!existsSync(CHROMIUM)) { t.fail(`${CHROMIUM} is missing: apt-get install -y chromium`); return; }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    await page.goto(pathToFileURL(join(out, 'sweep.html')).href, { waitUntil: 'load' });
    const imgs = await page.$$eval('figure.overlay img', (els) => els.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    t.deepEqual(imgs, [true, true, true]);
    t.deepEqual((await page.locator('.variant .cells').allTextContents()).map(Number), counts);
    t.deepEqual((await page.locator('#counts td.count').allTextContents()).map(Number), counts);
    t.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
