/**
 * Argo CD's part, played against the simulated cluster: the root Application syncs `argocd/`, each
 * child Application syncs its folder (with sub-folders: `directory.recurse`). A sync runs its steps
 * in Argo CD's order (argo-order.ts), server-side applies each object (as `ServerSideApply=true`
 * does; the difference to client-side apply does not matter to what comes up), checks it against
 * the AppProject as Argo CD does, and waits for health before the next wave. A failing step stops
 * that Application there, as Argo CD would keep waiting on it; the failure is reported with the
 * reasons the cluster gives.
 */
import type { K8sObject } from '../shared/k8s-object';
import { KubeError, type KubeClient, type KubeObject } from './kube-client';
import { isHook, syncSteps } from './argo-order';
import type { AdmissionServer } from './admission-server';
import { binaryVersion } from './binaries';
import { chartStandIn, type ChartFailure, type ChartStandIn } from './platform-charts';
import { idOf, waitHealthy, type WaitOptions } from './wait-healthy';

type Json = Record<string, unknown>;

export interface SyncFailure {
  /** Application that stopped. */
  readonly application: string;
  /** `Kind namespace/name`. */
  readonly object: string;
  /** What failed: API error, health message, reasons and events. */
  readonly reasons: readonly string[];
}

export interface ArgoSimulatorOptions {
  readonly client: KubeClient;
  /** Rendered folders of the environment, keyed by repository path (`dist/<env>/<folder>`). */
  readonly folders: ReadonlyMap<string, readonly K8sObject[]>;
  readonly wait?: WaitOptions;
  readonly assertAlive?: () => void;
  /** Progress lines. @default none */
  readonly log?: (line: string) => void;
  /** Kubernetes version Helm renders external charts for. @default the pinned kube-apiserver's */
  readonly kubeVersion?: string;
  /** Answers the admission webhooks of chart stand-ins. @default none (stand-ins install no webhook) */
  readonly admission?: AdmissionServer;
}

/** What an Application syncs, decided before its sync wave starts. */
interface PreparedSync {
  readonly objects: KubeObject[];
  readonly after?: ChartStandIn['afterHealthy'];
}

const asKube = (o: K8sObject): KubeObject => structuredClone(o) as unknown as KubeObject;
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

export class ArgoSimulator {
  readonly failures: SyncFailure[] = [];
  /** Every object applied, live identity only. */
  readonly applied: KubeObject[] = [];

  constructor(private readonly opts: ArgoSimulatorOptions) {}

  private log(line: string): void {
    this.opts.log?.(line);
  }

  /** Objects of an Application's source path, sub-folders included. */
  private objectsOf(path: string): K8sObject[] {
    const out: K8sObject[] = [];
    for (const [folder, objects] of this.opts.folders) if (folder === path || folder.startsWith(`${path}/`)) out.push(...objects);
    return out;
  }

  /** Argo CD's project check: destination namespace and resource whitelists. */
  private async permitted(app: KubeObject, o: KubeObject): Promise<string | undefined> {
    const projectName = String(app.spec?.project ?? 'default');
    const project = await this.opts.client.get('argoproj.io/v1alpha1', 'AppProject', projectName, app.metadata.namespace);
    if (!project) return `AppProject ${projectName} not found`;
    const spec = (project.spec ?? {}) as Json;
    const gk = { group: groupOf(o.apiVersion), kind: o.kind };
    const matches = (list: unknown) => Array.isArray(list) && (list as Json[]).some((e) => (e.group === '*' || e.group === gk.group) && (e.kind === '*' || e.kind === gk.kind));
    const namespace = o.metadata.namespace;
    if (namespace === undefined) {
      if (!matches(spec.clusterResourceWhitelist)) return `resource ${gk.group}:${gk.kind} is not permitted in project ${projectName}`;
      return undefined;
    }
    if (spec.namespaceResourceWhitelist !== undefined && !matches(spec.namespaceResourceWhitelist)) return `resource ${gk.group}:${gk.kind} is not permitted in project ${projectName}`;
    const destinations = Array.isArray(spec.destinations) ? (spec.destinations as Json[]) : [];
    if (!destinations.some((d) => d.namespace === '*' || d.namespace === namespace)) return `namespace ${namespace} is not permitted in project '${projectName}'`;
    return undefined;
  }

  /** Server-side apply; a hook with BeforeHookCreation replaces its previous run. */
  private async applyObject(app: KubeObject, o: KubeObject): Promise<string | undefined> {
    // Argo CD puts namespaced objects without a namespace into the destination namespace.
    const destination = (app.spec?.destination as Json | undefined)?.namespace;
    if (o.metadata.namespace === undefined && typeof destination === 'string' && destination !== '') {
      try {
        if (await this.opts.client.isNamespaced(o.apiVersion, o.kind)) o.metadata.namespace = destination;
      } catch {
        // An unknown kind: the apply below reports it.
      }
    }
    const denied = await this.permitted(app, o);
    if (denied) return denied;
    const client = this.opts.client;
    if (isHook(o as unknown as K8sObject)) {
      const existing = await client.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace);
      if (existing) {
        await client.delete(existing, 'Foreground');
        while (await client.get(o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace)) await new Promise((r) => setTimeout(r, 200));
      }
    }
    try {
      await client.apply(o);
      if (o.kind === 'CustomResourceDefinition') client.resetDiscovery();
      this.applied.push(o);
      return undefined;
    } catch (e) {
      return e instanceof KubeError ? e.message : String(e);
    }
  }

  /** Sets the Application's health as the Argo CD controller reports it. */
  private async setHealth(app: KubeObject, status: 'Healthy' | 'Degraded' | 'Progressing', message = ''): Promise<void> {
    const body = { health: { status, message }, sync: { status: status === 'Healthy' ? 'Synced' : 'OutOfSync' } };
    try {
      await this.opts.client.patchStatus(app, body);
    } catch (e) {
      // The Application CRD has no status subresource: status is part of the object.
      if (!(e instanceof KubeError && e.code === 404)) throw e;
      await this.opts.client.patch(app, { status: body });
    }
  }

  /** Every Application of the bundle (a chart's stand-in looks at what else is installed). */
  private applications(): KubeObject[] {
    return [...this.opts.folders.values()].flatMap((objects) => objects.filter((o) => o.kind === 'Application').map(asKube));
  }

  /**
   * What `app` will sync, read from its source, and what its chart's dry run refuses on the
   * cluster as it is now (before any Application of the same wave syncs: Argo CD syncs those
   * concurrently, so none can count on another). Undefined when the Application fails here.
   */
  private async prepare(app: KubeObject): Promise<PreparedSync | undefined> {
    const source = (app.spec?.source ?? {}) as Json;
    const name = app.metadata.name;
    if (typeof source.path === 'string' && source.path !== '.' && !String(source.repoURL).startsWith('oci://')) {
      const objects = this.objectsOf(source.path).map(asKube);
      if (objects.length === 0) {
        this.failures.push({ application: name, object: `Application ${name}`, reasons: [`path ${source.path}: app path does not exist or has no objects`] });
        await this.setHealth(app, 'Degraded', 'no objects');
        return undefined;
      }
      return { objects };
    }
    let standIn: ChartStandIn;
    try {
      standIn = chartStandIn(app, { applications: this.applications(), kubeVersion: this.opts.kubeVersion ?? binaryVersion('kube-apiserver'), admission: this.opts.admission });
    } catch (e) {
      this.failures.push({ application: name, object: `Application ${name}`, reasons: [String((e as Error).message)] });
      await this.setHealth(app, 'Degraded', 'chart not simulated');
      return undefined;
    }
    const refused = (await standIn.preflight?.(this.opts.client)) ?? [];
    if (refused.length > 0) {
      this.recordChartFailures(name, refused);
      await this.setHealth(app, 'Degraded', 'sync failed, see failures');
      return undefined;
    }
    return { objects: [...standIn.objects], after: standIn.afterHealthy };
  }

  private recordChartFailures(application: string, found: readonly ChartFailure[]): void {
    for (const f of found) this.failures.push({ application, object: f.object, reasons: f.reasons });
  }

  /** Argo CD's `CreateNamespace=true` sync option: the destination namespace, before the first object. */
  private async createNamespace(app: KubeObject): Promise<void> {
    const options = ((app.spec?.syncPolicy as Json | undefined)?.syncOptions ?? []) as string[];
    const namespace = (app.spec?.destination as Json | undefined)?.namespace;
    if (!options.includes('CreateNamespace=true') || typeof namespace !== 'string' || namespace === '') return;
    const metadata = ((app.spec?.syncPolicy as Json | undefined)?.managedNamespaceMetadata ?? {}) as Json;
    await this.opts.client.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, ...(metadata.labels ? { labels: metadata.labels as Record<string, string> } : {}), ...(metadata.annotations ? { annotations: metadata.annotations as Record<string, string> } : {}) } });
  }

  /** Syncs one Application (already applied to the cluster) and reports its health on it. */
  async syncApplication(app: KubeObject): Promise<boolean> {
    const prepared = await this.prepare(app);
    return prepared ? this.runSync(app, prepared) : false;
  }

  private async runSync(app: KubeObject, prepared: PreparedSync): Promise<boolean> {
    const name = app.metadata.name;
    this.log(`sync ${name} (${prepared.objects.length} objects)`);
    await this.createNamespace(app);
    let ok = await this.syncObjects(app, prepared.objects);
    if (ok && prepared.after) {
      const found = await prepared.after(this.opts.client);
      this.recordChartFailures(name, found);
      ok = found.length === 0;
    }
    await this.setHealth(app, ok ? 'Healthy' : 'Degraded', ok ? '' : 'sync stopped, see failures');
    return ok;
  }

  /** Runs the sync steps of `objects` for `app`; false at the first step that fails. */
  private async syncObjects(app: KubeObject, objects: KubeObject[]): Promise<boolean> {
    const name = app.metadata.name;
    for (const step of syncSteps(objects as unknown as K8sObject[])) {
      const stepObjects = step.objects as unknown as KubeObject[];
      for (const o of stepObjects) {
        const error = await this.applyObject(app, o);
        if (error) {
          this.failures.push({ application: name, object: idOf(o), reasons: [`${step.phase} wave ${step.wave}: apply failed: ${error}`] });
          return false;
        }
      }
      const children = stepObjects.filter((o) => o.apiVersion === 'argoproj.io/v1alpha1' && o.kind === 'Application');
      // Argo CD's controller syncs child Applications on its own, concurrently: each one sees the
      // cluster as the wave found it.
      const prepared: (PreparedSync | undefined)[] = [];
      for (const c of children) prepared.push(await this.prepare(c));
      await Promise.all(children.map((c, i) => {
        const p = prepared[i];
        return p ? this.runSync(c, p) : Promise.resolve(false);
      }));
      const unhealthy = await waitHealthy(this.opts.client, stepObjects, this.opts.wait, this.opts.assertAlive);
      if (unhealthy.length > 0) {
        for (const u of unhealthy) {
          // A child Application's own failures are already reported in detail.
          if (u.object.kind === 'Application' && this.failures.some((f) => f.application === u.object.metadata.name)) continue;
          this.failures.push({ application: name, object: u.id, reasons: [`${step.phase} wave ${step.wave}: ${u.health.status}${u.health.message ? `: ${u.health.message}` : ''}`, ...u.reasons] });
        }
        this.log(`${name}: stopped at ${step.phase} wave ${step.wave}`);
        return false;
      }
    }
    return true;
  }

  /** `kubectl apply -f dist/<env>/bootstrap/` (the operator), then the root Application's sync. */
  async bootstrap(bootstrapObjects: readonly K8sObject[]): Promise<boolean> {
    const client = this.opts.client;
    let ok = true;
    const objects = bootstrapObjects.map(asKube);
    // The project before the Application that names it, as a directory apply sorts them.
    for (const o of [...objects].sort((a, b) => (a.kind === 'AppProject' ? -1 : 0) - (b.kind === 'AppProject' ? -1 : 0))) {
      try {
        await client.apply(o);
        this.applied.push(o);
      } catch (e) {
        this.failures.push({ application: 'bootstrap', object: idOf(o), reasons: [`kubectl apply failed: ${(e as Error).message}`] });
        ok = false;
      }
    }
    if (!ok) return false;
    for (const root of objects.filter((o) => o.kind === 'Application')) ok = (await this.syncApplication(root)) && ok;
    return ok;
  }
}
