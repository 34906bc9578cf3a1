// `npm test` runner: ava (TAP reporter) on the compiled tests, passing its output through and closing
// with one plain line "tests: N passed, N failed, N skipped" that CI and people can read at a glance.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// ava's package exports don't include its CLI entry, so point at the file
const ava = fileURLToPath(new URL('../node_modules/ava/entrypoints/cli.mjs', import.meta.url));
const child = spawn(process.execPath, [ava, '--tap', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let pass = 0, fail = 0, skip = 0, tail = '';
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  const text = tail + d.toString();
  const lines = text.split('\n');
  tail = lines.pop();
  for (const l of lines) {
    if (/^ok \d+ .*# SKIP/.test(l)) skip++;
    else if (/^ok \d+/.test(l)) pass++;
    else if (/^not ok \d+/.test(l)) fail++;
  }
});
child.on('close', (code) => {
  console.log(`tests: ${pass} passed, ${fail} failed, ${skip} skipped`);
  process.exit(code ?? 1);
});
