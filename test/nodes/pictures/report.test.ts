import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { RunSummary } from '../../../engine/core/events.js';
import { tableToCsv, type Table } from '../../../engine/data/table.js';
import { greyImage } from '../../../nodes/pictures/lib/contrast.js';
import { writePng } from '../../../nodes/pictures/lib/png.js';
import { parseCsv, readRunSummary, renderRunReport, reportPictures, reportTables, writeRunReport, type RunReportDetails } from '../../../app/report/index.js';
import { dagLayers } from '../../../app/report/dag-svg.js';
import { tempDir } from './_helpers.js';

const CHROMIUM = '/usr/bin/chromium';

const summary: RunSummary = {
  workflow: 'cfos <sample>', ok: false, seconds: 12.345, peakRssMB: 812.4,
  nodes: [
    { id: 'raw', type: 'read-volume', status: 'cached', seconds: 0.01 },
    { id: 'cells', type: 'detect-cells', status: 'computed', seconds: 9.5, chunks: { computed: 3, cached: 1, total: 4 } },
    { id: 'tiles', type: 'tiles', status: 'computed', seconds: 0.4 },
    { id: 'counts', type: 'count-regions', status: 'computed', seconds: 0.2 },
    { id: 'stats', type: 'region-ttest', status: 'failed', seconds: 0.1, error: 'node \'stats\': input <groupB> is empty' },
    { id: 'heat', type: 'section', status: 'skipped', seconds: 0 },
  ],
};

const regions: Table = {
  columns: ['id', 'acronym', 'name', 'count', 'pvalue'],
  rows: [
    [8, 'grey', 'Basic cell groups and regions', 1200, 0.2],
    [315, 'Isocortex', 'Isocortex', 5400, 0.001],
    [549, 'TH', 'Thalamus', 33, 0.04],
    [1097, 'HY', 'Hypothalamus', 870, null],
    [512, 'CB', 'Cerebellum', 95, 0.6],
  ],
};

function fixture() {
  const dir = tempDir('cm-report-');
  const pics = join(dir, 'out');
  mkdirSync(pics);
  const gradient = Float64Array.from({ length: 60 * 40 }, (_, i) => (i % 60) + Math.floor(i / 60));
  writePng(join(pics, 'tiles.png'), greyImage(gradient, 60, 40, [0, 100]));
  writePng(join(pics, 'cells.png'), greyImage(gradient, 60, 40, [0, 100], true), {
    description: 'planes z = 0 <of a test>',
    legend: [{ label: 'class = 1', color: '#ff0000' }, { label: 'class = 2', color: 'red;background:url(x)' }],
  });
  const details: RunReportDetails = {
    nodes: [
      { nodeId: 'raw', type: 'read-volume', params: { path: 'data/ch0/Z\\d{4}.tif' }, inputs: {} },
      { nodeId: 'cells', type: 'detect-cells', params: { threshold: [700, null] }, inputs: { input: 'raw.volume' } },
      { nodeId: 'tiles', type: 'tiles', params: { path: 'tiles.png' }, inputs: { input: 'raw.volume' } },
      { nodeId: 'counts', type: 'count-regions', params: {}, inputs: { points: 'cells.points' } },
      { nodeId: 'stats', type: 'region-ttest', params: {}, inputs: { a: 'counts.table', b: 'counts.table' } },
      { nodeId: 'heat', type: 'section', params: { path: 'heat.png' }, inputs: { input: 'stats.pvalues' } },
    ],
    pictures: [
      { path: join(pics, 'tiles.png'), nodeId: 'tiles' },
      { path: join(pics, 'cells.png'), nodeId: 'cells', title: 'cells <overlay>' },
    ],
    tables: [{ title: 'cells per region', table: regions, nodeId: 'counts' }],
  };
  return { dir, details };
}

test('the report is self-contained, escaped and the same bytes for the same run', async (t) => {
  const { dir, details } = fixture();
  const html = await renderRunReport(summary, details);
  t.is(await renderRunReport(summary, details), html);
  // no external resources: no src/href to the network, no external scripts or stylesheets
  t.notRegex(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
  t.notRegex(html, /<script[^>]+src=/i);
  t.notRegex(html, /<link/i);
  t.is((html.match(/src="data:image\/png;base64,/g) ?? []).length, 2);
  t.regex(html, /cfos &lt;sample&gt;/);
  t.regex(html, /cells &lt;overlay&gt;/);
  t.regex(html, /input &lt;groupB&gt; is empty/);
  // the caption and legend stored in the PNG; a colour that is not #rrggbb never reaches the CSS
  t.regex(html, /<div class="info">planes z = 0 &lt;of a test&gt;<\/div><ul class="legend"><li><span class="swatch" style="background:#ff0000"><\/span>class = 1<\/li><li><span class="swatch" style="background:#000000"><\/span>class = 2<\/li><\/ul>/);
  t.is((html.match(/<svg/g) ?? []).length, 3, 'DAG + counts plot + p-value plot');
  const out = join(dir, 'report', 'report.html');
  await writeRunReport(summary, details, out);
  t.is(readFileSync(out, 'utf8'), html);
  await t.throwsAsync(renderRunReport(summary, { ...details, pictures: [{ path: join(dir, 'missing.png') }] }), { message: /report picture .*missing\.png: cannot be read/ });
});

test('CSV tables round-trip for the report; pictures of failed or skipped nodes are left out', (t) => {
  const back = parseCsv(tableToCsv({ ...regions, rows: [...regions.rows, [1, '"quoted, text"', '42', NaN, Infinity]] }), 'regions.csv');
  t.deepEqual(back.columns, regions.columns);
  t.deepEqual(back.rows.slice(0, 5), regions.rows);
  t.deepEqual(back.rows[5], [1, '"quoted, text"', 42, NaN, Infinity]); // '42' unquoted in CSV, so a number
  t.throws(() => parseCsv('a,b\n1\n', 'bad.csv'), { message: /bad\.csv: line 2 has 1 fields, the header 2/ });
  const { dir, details } = fixture();
  const out = join(dir, 'out');
  writeFileSync(join(out, 'heat.png'), readFileSync(join(out, 'tiles.png')));
  t.deepEqual(reportPictures(details.nodes, summary, out).map((p) => p.nodeId), ['tiles']); // heat.png exists, but 'heat' was skipped
  // region tables are picked up from the output directory; point lists are not
  mkdirSync(join(out, 'stats'));
  writeFileSync(join(out, 'stats', 'regions.csv'), tableToCsv(regions));
  writeFileSync(join(out, 'cells.csv'), 'x,y,z,size\n1,2,3,4\n');
  t.deepEqual(reportTables(out).map((r) => [r.title, r.table.rows.length]), [['stats/regions.csv', 5]]);
  // a summary written by --summary reads back; a wrong file is named in the error
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  t.deepEqual(readRunSummary(join(dir, 'summary.json')), summary);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ nodes: [{ id: 'a' }], seconds: 1 }));
  t.throws(() => readRunSummary(join(dir, 'bad.json')), { message: /bad\.json: nodes\[0\] needs id, type, status and seconds/ });
});

test('in Chromium: no console errors, every picture loads, the region table sorts on header click', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; in CI add 'chromium' to the apt line of .ci/run)`);
    return;
  }
  const { dir, details } = fixture();
  const file = join(dir, 'report.html');
  await writeRunReport(summary, details, file);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    const images = await page.$$eval('img', (imgs) => imgs.map((i) => ({ complete: (i as HTMLImageElement).complete, w: (i as HTMLImageElement).naturalWidth, h: (i as HTMLImageElement).naturalHeight })));
    t.deepEqual(images, [{ complete: true, w: 60, h: 40 }, { complete: true, w: 60, h: 40 }]);
    t.is(await page.locator('svg.dag a.dag-node').count(), 6);
    t.is(await page.locator('#picture-1 ul.legend li').count(), 2);
    t.is(await page.locator('#picture-1 .swatch').first().evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(255, 0, 0)');
    // 6 wires, 5 drawn edges: stats reads counts.table twice (ports a and b), drawn once with both in its tooltip
    t.is(await page.locator('svg.dag path.edge').count(), 5);
    t.is(await page.locator('svg.dag path.edge title').filter({ hasText: 'counts → stats' }).textContent(), 'counts → stats: table → a, table → b');

    const table = page.locator('#table-0');
    const column = async (i: number) => table.locator(`tbody tr td:nth-child(${i + 1})`).allTextContents();
    t.deepEqual(await column(1), ['grey', 'Isocortex', 'TH', 'HY', 'CB'], 'file order before sorting');
    await table.locator('th', { hasText: 'count' }).click();
    t.deepEqual(await column(3), ['33', '95', '870', '1200', '5400']);
    await table.locator('th', { hasText: 'count' }).click();
    t.deepEqual(await column(3), ['5400', '1200', '870', '95', '33']);
    t.is(await table.locator('th', { hasText: 'count' }).getAttribute('aria-sort'), 'descending');
    await table.locator('th', { hasText: 'pvalue' }).click();
    t.deepEqual(await column(1), ['Isocortex', 'TH', 'grey', 'CB', 'HY'], 'numbers ascending, the empty cell last');
    await table.locator('th', { hasText: 'acronym' }).click();
    t.deepEqual(await column(1), ['CB', 'grey', 'HY', 'Isocortex', 'TH']);

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.true(readFileSync(shot).length > 10_000);
    t.log(`screenshot: ${shot}`);
    t.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('DAG layout: columns by longest path from a source; summary nodes missing from the details still get a row', async (t) => {
  const layers = dagLayers([
    { id: 'a', type: 't', inputs: {} },
    { id: 'b', type: 't', inputs: { input: 'a.volume' } },
    { id: 'c', type: 't', inputs: { x: 'a.volume', y: 'b.volume' } },
    { id: 'd', type: 't', inputs: { input: 'elsewhere.volume' } },
  ]);
  t.deepEqual(Object.fromEntries(layers), { a: 0, b: 1, c: 2, d: 0 });
  t.throws(() => dagLayers([{ id: 'a', type: 't', inputs: { i: 'b.o' } }, { id: 'b', type: 't', inputs: { i: 'a.o' } }]), { message: /cycle through node/ });
  const html = await renderRunReport(summary, { nodes: [] });
  t.is((html.match(/class="dag-node"/g) ?? []).length, summary.nodes.length);
  t.regex(html, /id="node-stats"/);
});

test('report: title from the workflow file, a DAG that scales to the page, cell counts with histograms, a registration section', async (t) => {
  const dir = tempDir('cm-report-');
  const wf = join(dir, 'wf.json');
  writeFileSync(wf, JSON.stringify({ version: 1, name: 'my <c-Fos> study', nodes: [] }));
  const pic = join(dir, 'registration_check.png');
  writePng(pic, greyImage(new Float64Array(16), 4, 4, [0, 1]), { description: 'registration check: NCC before (centres aligned) 0.500, after 0.990' });
  const s: RunSummary = { workflow: wf, ok: true, seconds: 1, peakRssMB: 1, nodes: [
    { id: 'detect', type: 'detect', status: 'computed', seconds: 1 },
    { id: 'check', type: 'registration-check', status: 'cached', seconds: 0 },
  ] };
  const { histogram } = await import('../../../app/report/index.js');
  const size = histogram('size', Float64Array.from([5, 6, 6, 7, 7, 7, NaN]))!;
  t.deepEqual(size.bins.map((b) => b.count), [1, 2, 3]);
  t.deepEqual([size.min, size.max, size.mean], [5, 7, 38 / 6]);
  t.is(histogram('raw', Float64Array.from([0, 0.5, 1]), 4)!.bins.reduce((n, b) => n + b.count, 0), 3);
  const html = await renderRunReport(s, {
    nodes: [
      { nodeId: 'detect', type: 'detect', params: {}, inputs: {} },
      { nodeId: 'check', type: 'registration-check', params: { path: 'registration_check.png' }, inputs: { transform: 'detect.points' } },
    ],
    pictures: [{ path: pic, nodeId: 'check' }],
    detections: [{ nodeId: 'detect', count: 6, histograms: [size] }],
  });
  t.regex(html, /<title>my &lt;c-Fos&gt; study<\/title>/);
  t.regex(html, /<svg [^>]*class="dag" width="100%" style="max-width:\d+px;height:auto" viewBox="0 0 \d+ \d+"/);
  t.regex(html, /<h2>Registration check<\/h2>[\s\S]*NCC before \(centres aligned\) 0.500, after 0.990[\s\S]*<h2>Cells<\/h2>/);
  t.regex(html, /detect<\/a>: 6 points<\/h3>/);
  t.regex(html, /<svg[^>]*class="marks"[\s\S]*size/); // the vega histogram
  // no workflow file (e.g. a summary from elsewhere): the path stands in
  t.regex(await renderRunReport({ ...s, workflow: 'gone.json' }, { nodes: [] }), /<title>ClearMap run: gone.json<\/title>/);
});
