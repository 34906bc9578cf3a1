// The terminal renderer: ETA from measured throughput, host:pid and queued/running counts of remote
// chunks, and the last nodes' lines never dropped (cli-progress buffers log lines until its next redraw).
import test from 'ava';
import { Writable } from 'node:stream';
import { etaSeconds, formatDuration, ttyRenderer } from '../../app/cli/render.js';

function fakeTty(): { stream: NodeJS.WritableStream; text: () => string } {
  let out = '';
  const stream = new Writable({ write(chunk: Buffer, _enc, cb) { out += chunk.toString(); cb(); } });
  Object.assign(stream, { isTTY: true, columns: 200, rows: 50, cursorTo() { return true; }, moveCursor() { return true; }, clearLine() { return true; }, clearScreenDown() { return true; } });
  return { stream, text: () => out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') };
}

test('ETA is the remaining chunks over the measured throughput of computed chunks', (t) => {
  t.is(etaSeconds(3, 10, 0, 5), undefined);
  t.is(etaSeconds(4, 10, 2, 4), 12); // 2 chunks in 4 s -> 6 left take 12 s
  t.is(etaSeconds(10, 10, 10, 4), 0);
  t.is(formatDuration(12.4), '12s');
  t.is(formatDuration(125), '2m05s');
  t.is(formatDuration(undefined), '--');
});

test('the terminal shows ETA, queued/running counts and host:pid, and keeps the last lines at stop', (t) => {
  const { stream, text } = fakeTty();
  let clock = 0;
  const r = ttyRenderer(stream, () => clock);
  r.on({ event: 'node-start', node: 'only', type: 'whole' });
  r.on({ event: 'node-start', node: 'det', type: 'detect', chunks: 4 });
  r.on({ event: 'chunk-state', node: 'det', queued: 3, running: 1, executor: 'bullmq' });
  clock = 2000;
  r.on({ event: 'chunk-done', node: 'det', index: 0, count: 4, cached: false, seconds: 2, host: 'node7', pid: 4242 });
  r.on({ event: 'node-done', node: 'det', type: 'detect', seconds: 3 });
  r.on({ event: 'node-done', node: 'last', type: 'write-table', seconds: 0.1 });
  r.on({ event: 'run-done', seconds: 3, ok: true });
  r.stop();
  const out = text();
  t.regex(out, /• only \(whole\)/, 'a line before any bar is written');
  t.regex(out, /✔ det \(detect\): computed in 3\.00 s/);
  t.regex(out, /✔ last \(write-table\): computed in 0\.10 s/, 'the last node\'s line is not dropped');
  t.regex(out, /ETA 6s/); // 1 chunk in 2 s, 3 left
  t.regex(out, /node7:4242/);
  t.regex(out, /3 queued, 1 running/);
});
