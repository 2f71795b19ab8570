/**
 * Control planes kept between simulations of one run (`npm run simulate` of several environments,
 * a test file's simulations): a released one is reset to its baseline, the state it had once
 * started with the platform's CRDs installed, and handed to the next simulation with the same
 * options and CRDs; one that cannot be reset is stopped. Every simulation still begins on a
 * cluster equal to a fresh one with those CRDs, object for object (control-plane-reset.ts).
 * Measured per simulation: a start costs ~1.6 s of CPU (kube-apiserver ~1 s, etcd,
 * kube-controller-manager and kube-scheduler building their caches), installing Argo CD's two CRDs
 * another ~0.3 s of kube-apiserver; a reset ~0.5 s in all (its deletes and inventories).
 */
import { createHash } from 'node:crypto';
import { ControlPlane, type ControlPlaneOptions } from './control-plane';
import { installCrds } from './install-crds';
import type { KubeObject } from './kube-client';

/** Control planes are interchangeable when their flags are (the Service and pod networks, the Kubernetes minor) and so are their CRDs. */
function keyOf(o: ControlPlaneOptions, crds: readonly KubeObject[]): string {
  return `${o.serviceCidr} ${o.podCidr} ${o.kubernetesMinor ?? ''} ${createHash('sha256').update(JSON.stringify(crds)).digest('hex')}`;
}

export class ControlPlanePool {
  private readonly idle: { readonly key: string; readonly cp: ControlPlane }[] = [];
  private closed = false;
  /** Simulations that ran on a reused control plane, and control planes stopped because a reset failed. */
  readonly counts = { reused: 0, discarded: 0 };

  /** @param log where a control plane that could not be reset is reported */
  constructor(private readonly log: (line: string) => void = () => undefined) {}

  private readonly keys = new WeakMap<ControlPlane, string>();

  /** An idle control plane with these options and `crds`, else a new one (`crds` installed, then its baseline captured). */
  async acquire(opts: ControlPlaneOptions, crds: readonly KubeObject[]): Promise<ControlPlane> {
    const key = keyOf(opts, crds);
    const i = opts.keep ? -1 : this.idle.findIndex((x) => x.key === key);
    if (i >= 0) {
      this.counts.reused++;
      return this.idle.splice(i, 1)[0].cp;
    }
    const cp = await ControlPlane.start(opts);
    try {
      await installCrds(cp.client, crds);
      await cp.captureBaseline();
    } catch (e) {
      await cp.stop();
      throw e;
    }
    this.keys.set(cp, key);
    return cp;
  }

  /** Resets `cp` for the next acquire(), or stops it (kept folders, a dead component, a reset that did not converge, a closed pool). */
  async release(cp: ControlPlane): Promise<void> {
    const problem = cp.options.keep ? 'its folder is kept' : this.closed ? 'the pool is closed' : await cp.reset().catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    const key = this.keys.get(cp);
    if (problem === undefined && !this.closed && key !== undefined) {
      this.idle.push({ key, cp });
      return;
    }
    if (!cp.options.keep && !this.closed) {
      this.counts.discarded++;
      this.log(`control plane not reused: ${problem}`);
    }
    await cp.stop();
  }

  /** Stops every idle control plane. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((x) => x.cp.stop()));
  }
}
