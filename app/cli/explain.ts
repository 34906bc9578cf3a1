// `clearmap run --explain`: for each node that was recomputed, the cache key components that changed.
import type { RunResult } from '../engine.js';

export function explainText(result: RunResult): string {
  if (!result.explain.size) return 'explain: nothing was recomputed\n';
  let out = 'explain: why nodes were recomputed\n';
  for (const [id, why] of result.explain) {
    out += `  ${id}:\n`;
    for (const w of why) out += `    - ${w}\n`;
  }
  return out;
}
