/**
 * cert-manager: the REAL chart, not a stand-in. The Go module proxy serves
 * github.com/cert-manager/cert-manager at every release tag, and its zip holds the chart
 * (deploy/charts/cert-manager, CRD templates included). The simulation takes the module at the
 * Application's `targetRevision`, sets Chart.yaml's version and appVersion (v0.0.0 in the
 * repository; cert-manager's release tool sets them when it packages the chart) and renders it
 * the way Argo CD does: `helm template <release> --namespace <destination> --kube-version
 * <cluster> --include-crds` with the Application's values, with the real Helm 4 of the tools
 * cache. Its objects are then synced like any other (hooks, waves, the AppProject's whitelists).
 * Its controllers run as kwok pods: nothing issues certificates. Its admission webhooks
 * (failurePolicy Fail, on cert-manager's own kinds) would have no server behind them: with the
 * simulation's admission server their clientConfig names it instead, and it admits everything
 * unchanged (cert-manager's own validation is not run; the CRD schemas are).
 * @see https://github.com/cert-manager/cert-manager/tree/master/deploy/charts/cert-manager
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { binary } from '../binaries';
import { moduleFolderCopy } from '../go-modules';
import type { KubeObject } from '../kube-client';
import { destinationNamespace, helmOf, releaseName, sourceOf, valuesObject, type ChartContext, type ChartStandIn } from './chart-stand-in';

/** The Go module whose release tags are the chart's versions. */
export const CERT_MANAGER_MODULE = 'github.com/cert-manager/cert-manager';
const CHART_FOLDER = 'deploy/charts/cert-manager';

/** The chart's objects as Argo CD renders them for `app`. */
export function renderCertManager(app: KubeObject, ctx: Pick<ChartContext, 'kubeVersion'>): KubeObject[] {
  const version = String(sourceOf(app).targetRevision ?? '');
  if (!/^v\d+\.\d+\.\d+$/.test(version)) throw new Error(`cert-manager chart: targetRevision ${JSON.stringify(version)} is not a release tag vX.Y.Z (the module version the chart is read from)`);
  const helm = helmOf(app);
  if (helm.parameters !== undefined || helm.valueFiles !== undefined) throw new Error('cert-manager chart: helm.parameters and helm.valueFiles are not simulated: put the values in helm.valuesObject');
  const chart = moduleFolderCopy(CERT_MANAGER_MODULE, version, CHART_FOLDER);
  try {
    const chartYaml = join(chart, 'Chart.yaml');
    const text = readFileSync(chartYaml, 'utf8');
    if (!/^version: v0\.0\.0$/m.test(text) || !/^appVersion: v0\.0\.0$/m.test(text)) throw new Error(`${CERT_MANAGER_MODULE}@${version}/${CHART_FOLDER}/Chart.yaml: expected version and appVersion v0.0.0 (set by the release tool)`);
    writeFileSync(chartYaml, text.replace(/^version: v0\.0\.0$/m, `version: ${version}`).replace(/^appVersion: v0\.0\.0$/m, `appVersion: ${version}`));
    // Argo CD's order: `values` (a YAML string), then `valuesObject` over it.
    const files: string[] = [];
    if (typeof helm.values === 'string') files.push(helm.values);
    files.push(JSON.stringify(valuesObject(app)));
    const args = ['template', releaseName(app), chart, '--namespace', destinationNamespace(app), '--kube-version', ctx.kubeVersion, '--include-crds'];
    files.forEach((content, i) => {
      const file = join(dirname(chart), `values-${i}.yaml`);
      writeFileSync(file, content);
      args.push('--values', file);
    });
    let out: string;
    try {
      out = execFileSync(binary('helm'), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`cert-manager chart ${version}: helm template failed: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`);
    }
    return parseAllDocuments(out)
      .map((d) => d.toJSON() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
  } finally {
    rmSync(dirname(chart), { recursive: true, force: true });
  }
}

export function certManagerChart(app: KubeObject, ctx: ChartContext): ChartStandIn {
  const objects = renderCertManager(app, ctx);
  const admission = ctx.admission;
  if (admission) {
    for (const o of objects) {
      if (o.kind !== 'MutatingWebhookConfiguration' && o.kind !== 'ValidatingWebhookConfiguration') continue;
      for (const w of (o.webhooks ?? []) as Record<string, unknown>[]) {
        w.clientConfig = { url: admission.register(`/cert-manager/${o.kind}/${String(w.name)}`, () => []), caBundle: admission.caBundle };
      }
    }
  }
  return { objects };
}
