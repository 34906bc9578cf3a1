// `clearmap atlas get` against a local HTTP server (127.0.0.1 only, no internet) that serves a tarball in
// BrainGlobe's layout built here from the in-box atlas (made from ../shared/data/atlas): download with
// progress, verify, unpack; a truncated transfer resumes with HTTP Range; a corrupt archive is reported
// and leaves no half atlas; offline, the message says what to download and where to put it.
import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { getAtlas, OfflineError, parseVersionsConf } from '../../../nodes/analysis/lib/atlas/atlas-download.js';
import { findAtlas, inBoxAtlasDirectory, listAtlases } from '../../../nodes/analysis/lib/atlas/atlas-store.js';
import { repoRoot } from './_helpers.js';

const root = mkdtempSync(join(tmpdir(), 'cm-atlas-get-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

// the tarball: allen_mouse_50um_v1.2/ with the in-box files and a reference image of the same grid
const NAME = 'allen_mouse_50um', VERSION = '1.2', FOLDER = `${NAME}_v${VERSION}`;
const src = join(root, 'src', FOLDER);
mkdirSync(src, { recursive: true });
for (const f of ['annotation.tiff', 'hemispheres.tiff', 'structures.json']) copyFileSync(join(inBoxAtlasDirectory(), NAME, f), join(src, f));
copyFileSync(join(inBoxAtlasDirectory(), NAME, 'hemispheres.tiff'), join(src, 'reference.tiff'));
const meta = JSON.parse(readFileSync(join(inBoxAtlasDirectory(), NAME, 'metadata.json'), 'utf8'));
writeFileSync(join(src, 'metadata.json'), JSON.stringify({ ...meta, version: VERSION }));
const TARBALL = join(root, `${FOLDER}.tar.gz`);
let BYTES = Buffer.alloc(0);
test.before(async () => {
  await tar.c({ gzip: true, file: TARBALL, cwd: join(root, 'src') }, [FOLDER]);
  BYTES = readFileSync(TARBALL);
});

type Mode = 'ok' | 'truncate-once' | 'corrupt';
interface Served { server: Server; url: string; ranges: string[]; requests: number }
async function serve(mode: Mode): Promise<Served> {
  const s: Served = { server: undefined as unknown as Server, url: '', ranges: [], requests: 0 };
  let truncated = false;
  const body = mode === 'corrupt' ? Buffer.from(BYTES) : BYTES;
  if (mode === 'corrupt') for (let i = 0; i < 64; i++) body[Math.floor(body.length / 2) + i] ^= 0x5a;
  s.server = createServer((req, res) => {
    s.requests++;
    if (req.url === '/last_versions.conf') { res.end(`[atlases]\nexample_mouse_100um = 1.2\n${NAME} = ${VERSION}\nallen_mouse_25um = 1.2\n`); return; }
    if (req.url !== `/${FOLDER}.tar.gz`) { res.statusCode = 404; res.end(); return; }
    const range = req.headers.range;
    let start = 0;
    if (range) { s.ranges.push(range); start = Number(/bytes=(\d+)-/.exec(range)![1]); }
    res.setHeader('Accept-Ranges', 'bytes');
    if (start > 0) { res.statusCode = 206; res.setHeader('Content-Range', `bytes ${start}-${body.length - 1}/${body.length}`); }
    res.setHeader('Content-Length', String(body.length - start));
    if (mode === 'truncate-once' && !truncated) {
      truncated = true;
      res.write(body.subarray(0, Math.floor(body.length / 3)), () => res.destroy());
      return;
    }
    res.end(body.subarray(start));
  });
  await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', () => r()));
  s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
  return s;
}

const leftovers = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((e) => e !== '.downloads') : []);

test.serial('get: version from last_versions.conf, download with progress, verify, unpack; then found by name before the in-box atlas', async (t) => {
  const s = await serve('ok');
  t.teardown(() => s.server.close());
  const dir = join(root, 'ok');
  const progress: number[] = [];
  const r = await getAtlas(NAME, { server: s.url, dir, onProgress: (d) => progress.push(d) });
  t.true(r.downloaded);
  t.is(r.dir, join(dir, FOLDER));
  t.is(progress[progress.length - 1], BYTES.length);
  t.deepEqual(readdirSync(r.dir).sort(), ['annotation.tiff', 'hemispheres.tiff', 'metadata.json', 'reference.tiff', 'structures.json']);
  t.deepEqual(readdirSync(join(dir, '.downloads')), [], 'no partial file left');
  const again = await getAtlas(NAME, { server: s.url, dir });
  t.false(again.downloaded);
  const prev = process.env.CLEARMAP_ATLAS_DIR;
  process.env.CLEARMAP_ATLAS_DIR = dir;
  t.teardown(() => { if (prev === undefined) delete process.env.CLEARMAP_ATLAS_DIR; else process.env.CLEARMAP_ATLAS_DIR = prev; });
  const found = findAtlas(NAME);
  t.is(found.where, 'atlas-dir'); t.is(found.version, VERSION); t.true(found.hasReference);
  t.is(findAtlas(FOLDER).dir, r.dir, 'a versioned folder name names that version');
  t.deepEqual(listAtlases().filter((a) => a.name === NAME).map((a) => a.where), ['atlas-dir', 'in-box']);
  await t.throwsAsync(getAtlas('allen_mouse_7um', { server: s.url, dir }), { message: /'allen_mouse_7um' is not on the atlas server .*similar: .*allen_mouse_50um/ });
});

test.serial('a truncated transfer is resumed with an HTTP Range request', async (t) => {
  const s = await serve('truncate-once');
  t.teardown(() => s.server.close());
  const dir = join(root, 'resume');
  const logs: string[] = [];
  const r = await getAtlas(NAME, { server: s.url, dir, log: (m) => logs.push(m) });
  t.true(r.downloaded);
  t.is(s.ranges.length, 1);
  t.regex(s.ranges[0], /^bytes=\d+-$/);
  t.true(Number(/\d+/.exec(s.ranges[0])![0]) > 0);
  t.true(logs.some((l) => /resum/.test(l)), logs.join(' | '));
  t.true(existsSync(join(r.dir, 'annotation.tiff')));
});

test.serial('a corrupt archive is detected, retried, reported, and never leaves a half atlas', async (t) => {
  const s = await serve('corrupt');
  t.teardown(() => s.server.close());
  const dir = join(root, 'corrupt');
  const e = await t.throwsAsync(getAtlas(NAME, { server: s.url, dir, attempts: 2 }));
  t.regex(e!.message, /is corrupt or incomplete .*gave up after 2 downloads\. Nothing was installed/);
  t.is(s.requests, 3, 'version list + 2 downloads');
  t.deepEqual(leftovers(dir), [], 'no atlas folder and no unpack folder');
  t.deepEqual(readdirSync(join(dir, '.downloads')), [], 'no partial file');
});

test.serial('offline: a clear message says what to download and where to put it', async (t) => {
  const s = await serve('ok');
  const url = s.url;
  await new Promise((r) => s.server.close(r)); // nothing listens there any more
  const dir = join(root, 'offline');
  const e = await t.throwsAsync(getAtlas(NAME, { server: url, dir }));
  t.true(e instanceof OfflineError);
  t.regex(e!.message, /cannot reach .*last_versions\.conf/);
  t.regex(e!.message, new RegExp(`Without internet: .*download ${url.replace(/\./g, '\\.')}/${NAME}_v<version>\\.tar\\.gz.*unpack it into ${dir.replace(/\./g, '\\.')}`));
  const e2 = await t.throwsAsync(getAtlas(NAME, { server: url, dir, version: '1.2' }));
  t.regex(e2!.message, new RegExp(`download ${url.replace(/\./g, '\\.')}/${FOLDER}\\.tar\\.gz`));
  t.deepEqual(leftovers(dir), []);
  t.deepEqual(parseVersionsConf('[other]\na = 1\n[atlases]\n x_1um = 1.0 \n').get('x_1um'), '1.0');
});

test.serial('CLI: atlas get with progress, list, info, path (child process)', async (t) => {
  const s = await serve('ok');
  t.teardown(() => s.server.close());
  const dir = join(root, 'cli');
  const env = { ...process.env, CLEARMAP_ATLAS_DIR: dir, CLEARMAP_ATLAS_SERVER: s.url };
  const run = (...args: string[]) => promisify(execFile)(process.execPath, [join(repoRoot(), 'bin', 'clearmap.js'), 'atlas', ...args], { env, timeout: 120000 });
  const got = await run('get', NAME);
  t.regex(got.stdout, new RegExp(`installed: ${dir.replace(/\./g, '\\.')}/${FOLDER}`));
  t.regex(got.stderr, /100%/);
  const list = await run('list');
  t.regex(list.stdout, new RegExp(`${NAME}  v${VERSION}  \\(atlas-dir\\)`));
  t.regex(list.stdout, new RegExp(`${NAME}  v2017\\.1  \\(in-box, no reference image\\)`));
  const info = JSON.parse((await run('info', NAME, '--json')).stdout);
  t.is(info.version, VERSION); t.is(info.orientation, 'asr'); t.deepEqual(info.shapeXyz, [228, 160, 264]); t.true(info.regions > 800);
  t.is((await run('path', NAME)).stdout.trim(), join(dir, FOLDER));
  const missing = await t.throwsAsync(run('path', 'allen_mouse_10um'));
  t.regex((missing as Error & { stderr: string }).stderr, /clearmap atlas get allen_mouse_10um/);
});
