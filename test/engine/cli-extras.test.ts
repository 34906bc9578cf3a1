// Issue 11 CLI items: --version, `nodes <type>`, `validate` checks input files, `cache ls` columns.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, tempDir, writeWorkflow } from './helpers.js';

test('clearmap --version prints the package version', (t) => {
  const r = runCli(['--version']);
  t.is(r.code, 0, r.stderr);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  t.regex(r.stdout, new RegExp(`^clearmap-ts ${pkg.version.replace(/\./g, '\\.')} \\(node `));
});

test('clearmap nodes <type> shows that type only; an unknown type suggests close names (exit 2)', (t) => {
  const r = runCli(['nodes', 'statistics']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^statistics {2}\[chunk/);
  t.is(r.stdout.split('\n').filter((l) => /^\S/.test(l)).length, 1);
  const j = runCli(['nodes', 'write-table', '--json']);
  t.deepEqual(JSON.parse(j.stdout).map((x: { type: string }) => x.type), ['write-table']);
  const bad = runCli(['nodes', 'statis']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /no node type 'statis' \(did you mean 'statistics'\?\)/);
});

test('clearmap validate reports input files that do not exist, naming node and file (exit 2)', (t) => {
  const dir = tempDir();
  const wf = (path: string) => writeWorkflow(dir, { version: 1, nodes: [
    { id: 'raw', type: 'read-volume', params: { path } },
    { id: 'pts', type: 'read-points', params: { path: 'cells.csv' } },
  ] });
  const r = runCli(['validate', wf('missing.tif')]);
  t.is(r.code, 2, r.stdout);
  t.regex(r.stderr, /node 'raw' \(read-volume\): .*missing\.tif: no such file/);
  t.regex(r.stderr, /node 'pts' \(read-points\): .*cells\.csv: no such file/);
  t.is(runCli(['validate', wf('missing.tif'), '--no-check-files']).code, 0, 'structure only');
  writeFileSync(join(dir, 'cells.csv'), 'x,y,z\n1,2,3\n');
  writeFileSync(join(dir, 'v.nrrd'), Buffer.concat([Buffer.from('NRRD0004\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\n\n'), Buffer.alloc(8)]));
  const ok = runCli(['validate', wf('v.nrrd')]);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /valid \(2 nodes/);
});
