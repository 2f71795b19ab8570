/**
 * The report `confidentialize` writes on stderr: one summary line, what passed through untouched,
 * one line per change and a `warning:` line per caveat, with readable field paths.
 */
import { readablePath } from './paths';
import type { ConfidentialTarget } from './target';
import { EVERY_WORKLOAD, type Change, type TransformResult } from './transform';

const line = (c: Change) => (c.object === EVERY_WORKLOAD ? `${c.object}: ${c.message}` : `${c.object} ${readablePath(c.path)}: ${c.message}`);

export function formatReport(file: string, target: ConfidentialTarget, result: TransformResult): string {
  const where = target.kind === 'kata' ? `runtime class ${target.runtimeClass}` : 'confidential nodes (no Kata)';
  const lines = [
    `confidentialize: ${file}: ${result.objects.length} object(s) for environment ${target.environment}, ${where}: ${result.workloads.length} workload(s) made confidential, ${result.untouched.length} passed through untouched`,
  ];
  if (result.untouched.length > 0) lines.push(`  untouched: ${result.untouched.join(', ')}`);
  for (const c of result.changes) lines.push(`  ${line(c)}`);
  for (const w of result.warnings) lines.push(`warning: ${line(w)}`);
  return `${lines.join('\n')}\n`;
}
