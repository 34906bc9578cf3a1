// Peak resident memory of a process tree: `node rss-sampler.js <rootPid> <outFile>` sums the RSS of
// every descendant of rootPid (itself excluded) every 100 ms and writes the peak (bytes) to outFile
// when it gets SIGTERM. GNU time's %M is the largest single process, which undercounts a run whose
// chunks are computed in worker processes (the default) — so the benches report this sum.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = Number(process.argv[2]);
const out = process.argv[3];
const PAGE = 4096;

function descendants(): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      // field 4 of /proc/<pid>/stat is the parent pid; the command name (field 2) may hold spaces
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch { /* the process ended meanwhile */ }
  }
  const found: number[] = [];
  const todo = [root];
  while (todo.length) for (const c of children.get(todo.pop()!) ?? []) if (c !== process.pid) { found.push(c); todo.push(c); }
  return found;
}

let peak = 0;
const sample = () => {
  let sum = 0;
  for (const pid of descendants()) {
    try { sum += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE; } catch { /* ended */ }
  }
  if (sum > peak) peak = sum;
};
setInterval(sample, 100);
process.on('SIGTERM', () => {
  sample();
  writeFileSync(out, String(peak));
  process.exit(0);
});
writeFileSync(`${out}.ready`, '');
