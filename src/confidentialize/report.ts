/**
 * The report `confidentialize` writes on stderr: one summary line, what passed through untouched,
 * one line per change and a `warning:` line per caveat, with readable field paths.
 */
import { readablePath } from './paths';
import type { ConfidentialTarget } from './target';
import type { TransformResult } from './transform';

export function formatReport(file: string, target: ConfidentialTarget, result: TransformResult): string {
  const where = target.kind === 'kata' ? `runtime class ${target.runtimeClass}` : 'confidential nodes (no Kata)';
  const workloads = new Set([...result.changes, ...result.warnings].map((c) => c.object)).size;
  const lines = [
    `confidentialize: ${file}: ${result.objects.length} object(s) for environment ${target.environment}, ${where}: ${workloads} workload(s) made confidential, ${result.untouched.length} passed through untouched`,
  ];
  if (result.untouched.length > 0) lines.push(`  untouched: ${result.untouched.join(', ')}`);
  for (const c of result.changes) lines.push(`  ${c.object} ${readablePath(c.path)}: ${c.message}`);
  for (const w of result.warnings) lines.push(`warning: ${w.object} ${readablePath(w.path)}: ${w.message}`);
  return `${lines.join('\n')}\n`;
}
