/** Plain-text report of simulation results: one line per environment, then each failure with its reasons. */
import type { SimulationResult } from './simulate';

export function formatResult(r: SimulationResult): string {
  const head = `${r.ok ? 'PASS' : 'FAIL'} ${r.environment}: ${r.nodes} nodes, ${r.objects} objects, ${r.seconds.total.toFixed(1)}s (control plane ${r.seconds.controlPlane.toFixed(1)}s, sync ${r.seconds.sync.toFixed(1)}s)`;
  const body = r.failures.flatMap((f) => [`  ${f.object} [${f.stage}]`, ...f.reasons.map((x) => `    ${x}`)]);
  return [head, ...body].join('\n');
}

export function formatResults(results: readonly SimulationResult[]): string {
  const passed = results.filter((r) => r.ok).length;
  return [...results.map(formatResult), `simulate: ${passed} passed, ${results.length - passed} failed`].join('\n');
}
