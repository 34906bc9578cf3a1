// `clearmap report <results dir>`: the HTML report of an existing results folder from its cache (no
// rerun), opened in headless Chromium: no console errors, every node of the workflow in the DAG with
// its cached status, the results folder's points file listed.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runApi, runCli, tempDir, writeWorkflow } from '../../engine/helpers.js';
import { BLOB_PLUGIN, BLOBS, SHAPE } from '../../plugins/helpers.js';

const CHROMIUM = '/usr/bin/chromium';

test('clearmap report <results dir> builds the report from the cache; it opens in Chromium without errors', async (t) => {
  const dir = tempDir();
  const cache = join(dir, 'cache'), out = join(dir, 'results');
  const wf = writeWorkflow(dir, {
    version: 1, plugins: [BLOB_PLUGIN],
    nodes: [
      { id: 'stack', type: 'test-blob-stack', params: { shape: SHAPE, blobs: BLOBS, seed: 5, sigma: 2.5 } },
      { id: 'background', type: 'background', inputs: { input: 'stack.volume' }, params: { size: [15, 15] } },
      { id: 'maxima', type: 'maxima', inputs: { input: 'background.output', weights: 'stack.volume' }, params: { hMax: 20, size: 5, threshold: 60 } },
      { id: 'shape', type: 'shape', inputs: { input: 'background.output', seeds: 'maxima.points', raw: 'stack.volume' }, params: { threshold: 150 } },
      { id: 'save', type: 'write-points', inputs: { points: 'shape.points' }, params: { path: 'cells.csv' } },
    ],
  });
  const r = await runApi(wf, { cache, out });
  t.true(r.summary.ok, JSON.stringify(r.summary.nodes));
  // a missing results folder is named
  const bad = runCli(['report', join(dir, 'nope'), '--workflow', wf, '--cache', cache]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /results folder .*nope does not exist/);
  const ok = runCli(['report', out, '--workflow', wf, '--cache', cache]);
  t.is(ok.code, 0, ok.stderr);
  const file = join(out, 'report.html');
  t.true(existsSync(file));
  const html = readFileSync(file, 'utf8');
  for (const id of ['stack', 'background', 'maxima', 'shape', 'save']) t.true(html.includes(id), id);
  if (!existsSync(CHROMIUM)) return t.fail(`${CHROMIUM} is missing: install Debian's chromium`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    t.is(await page.locator('svg.dag a.dag-node').count(), 5);
    const text = await page.locator('body').innerText();
    t.regex(text, /cached/);
    t.notRegex(text, /skipped/, 'every node is found in the cache (the fused chain shares its last node\'s entry)');
    t.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
