/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (PodSecurity admission on, as
 * in every supported release), kube-controller-manager and kube-scheduler, plus kwok, which plays
 * the kubelet of every node (heartbeats, pod readiness, pods of Jobs completing) with kwok's own
 * default stages. No container runs. Everything lives in a temporary folder removed by stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binary, binaryVersion, type SimulationBinary } from './binaries';
import { makeCertificates } from './certificates';
import { moduleFile } from './go-modules';
import { resetToBaseline } from './control-plane-reset';
import { resourceTypes, takeInventory, type Inventory, type ResourceType } from './inventory';
import { KubeClient } from './kube-client';

export interface ControlPlaneOptions {
  /** Service network of the cluster (kube-apiserver --service-cluster-ip-range): fixed ClusterIPs must lie in it. */
  readonly serviceCidr: string;
  /** Pod network kwok hands pod IPs out of. */
  readonly podCidr: string;
  /** Kubernetes minor the environment targets, e.g. `1.36`: the pinned binaries must be of it. @default any */
  readonly kubernetesMinor?: string;
  /** Keep the work folder (logs) after stop(). @default false */
  readonly keep?: boolean;
}

/** kwok's default stages (what kwokctl configures): node initialize + heartbeat with lease, pod ready, complete, delete. */
const KWOK_STAGES = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ControlPlane {
  readonly client: KubeClient;
  /** kubeconfig for kubectl (the operator's commands). */
  readonly kubeconfig: string;
  private readonly processes: { name: string; child: ChildProcess }[] = [];

  private constructor(
    readonly dir: string,
    readonly server: string,
    private readonly opts: ControlPlaneOptions,
    token: string,
    ca: string,
  ) {
    this.client = new KubeClient({ server, token, ca });
    this.kubeconfig = join(dir, 'admin.kubeconfig');
  }

  /** Starts every component and waits until the API server is ready and the default ServiceAccount machinery runs. */
  static async start(opts: ControlPlaneOptions): Promise<ControlPlane> {
    const pinned = binaryVersion('kube-apiserver');
    if (opts.kubernetesMinor !== undefined && !pinned.startsWith(`v${opts.kubernetesMinor}.`)) {
      throw new Error(`the environment targets Kubernetes ${opts.kubernetesMinor}, the pinned control plane is ${pinned} (scripts/tool-versions.sh)`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'coco-simulate-'));
    const certs = makeCertificates(dir);
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const tokens = { admin: randomBytes(16).toString('hex'), kcm: randomBytes(16).toString('hex'), scheduler: randomBytes(16).toString('hex'), kwok: randomBytes(16).toString('hex') };
    // Static tokens: the controllers get their real user names (events name them), with full rights.
    writeFileSync(
      join(dir, 'tokens.csv'),
      [
        `${tokens.admin},admin,admin,"system:masters"`,
        `${tokens.kcm},system:kube-controller-manager,kcm,"system:masters"`,
        `${tokens.scheduler},system:kube-scheduler,scheduler,"system:masters"`,
        `${tokens.kwok},kwok-controller,kwok,"system:masters"`,
      ].join('\n') + '\n',
    );
    const server = `https://127.0.0.1:${apiPort}`;
    const ca = readFileSync(certs.caCert, 'utf8');
    const cp = new ControlPlane(dir, server, opts, tokens.admin, ca);
    const kubeconfig = (name: string, token: string) => {
      const file = join(dir, `${name}.kubeconfig`);
      writeFileSync(
        file,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'simulate', cluster: { server, 'certificate-authority': certs.caCert } }],
          users: [{ name, user: { token } }],
          contexts: [{ name: 'simulate', context: { cluster: 'simulate', user: name } }],
          'current-context': 'simulate',
        }),
      );
      return file;
    };
    kubeconfig('admin', tokens.admin);
    try {
      cp.spawn('etcd', [
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--name=default',
        // A throwaway store: durability buys nothing and costs seconds.
        '--unsafe-no-fsync',
        '--quota-backend-bytes=1073741824',
        '--log-level=warn',
      ]);
      cp.spawn('kube-apiserver', [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${certs.servingCert}`,
        `--tls-private-key-file=${certs.servingKey}`,
        `--client-ca-file=${certs.caCert}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=Node,RBAC',
        `--service-cluster-ip-range=${opts.serviceCidr}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${certs.serviceAccountPub}`,
        `--service-account-signing-key-file=${certs.serviceAccountKey}`,
        // kubeadm sets it; the default (false) refuses every privileged container.
        '--allow-privileged=true',
        // The kubernetes Service would point at 127.0.0.1, which nothing in the simulation reaches.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
        '--v=0',
      ]);
      await cp.waitReady();
      cp.spawn('kube-controller-manager', [
        `--kubeconfig=${kubeconfig('kcm', tokens.kcm)}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        '--leader-elect=false',
        `--service-account-private-key-file=${certs.serviceAccountKey}`,
        `--root-ca-file=${certs.caCert}`,
        `--service-cluster-ip-range=${opts.serviceCidr}`,
        '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller',
        '--concurrent-deployment-syncs=10',
        '--profiling=false',
      ]);
      cp.spawn('kube-scheduler', [`--kubeconfig=${kubeconfig('scheduler', tokens.scheduler)}`, '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--leader-elect=false', '--profiling=false']);
      const stages = KWOK_STAGES.map((f) => moduleFile('kwok', f)).join('\n---\n');
      writeFileSync(join(dir, 'kwok.yaml'), stages);
      cp.spawn('kwok', [
        `--kubeconfig=${kubeconfig('kwok', tokens.kwok)}`,
        `--config=${join(dir, 'kwok.yaml')}`,
        '--manage-all-nodes=true',
        `--cidr=${opts.podCidr}`,
        '--node-lease-duration-seconds=40',
      ]);
      await cp.waitServiceAccounts();
      return cp;
    } catch (e) {
      await cp.stop();
      throw e;
    }
  }

  private spawn(name: SimulationBinary, args: string[]): void {
    const log = openSync(join(this.dir, `${name}.log`), 'a');
    // A short-lived control plane on a machine with memory to spare: collecting garbage 4 times less
    // often took kube-apiserver from 2.3 s to 1.7 s of CPU per simulation. An explicit GOGC wins.
    const env = { ...process.env, GOGC: process.env.GOGC ?? '400' };
    const child = spawn(binary(name), args, { stdio: ['ignore', log, log], detached: false, env });
    closeSync(log);
    this.processes.push({ name, child });
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.exited.push(`${name} exited (${signal ?? code}); log: ${join(this.dir, `${name}.log`)}`);
    });
  }

  private stopping = false;
  private readonly exited: string[] = [];

  /** Throws when a component died: its log is the place to look. */
  assertAlive(): void {
    if (this.exited.length > 0) throw new Error(`control plane: ${this.exited.join('; ')}\n${this.tail()}`);
  }

  private tail(): string {
    return this.processes
      .filter((p) => this.exited.some((e) => e.startsWith(`${p.name} `)))
      .map((p) => {
        try {
          return readFileSync(join(this.dir, `${p.name}.log`), 'utf8').split('\n').slice(-15).join('\n');
        } catch {
          return '';
        }
      })
      .join('\n');
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      this.assertAlive();
      try {
        const r = await this.client.request<string | Record<string, unknown>>('GET', '/readyz');
        if (r !== undefined) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`kube-apiserver not ready after 60s; log: ${join(this.dir, 'kube-apiserver.log')}`);
      await sleep(200);
    }
  }

  /** The ServiceAccount admission needs the `default` ServiceAccount of a namespace: wait until kcm makes them. */
  private async waitServiceAccounts(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!(await this.client.get('v1', 'ServiceAccount', 'default', 'default'))) {
      this.assertAlive();
      if (Date.now() > deadline) throw new Error(`kube-controller-manager made no default ServiceAccount in 60s; log: ${join(this.dir, 'kube-controller-manager.log')}`);
      await sleep(200);
    }
  }

  private baseline?: { readonly types: readonly ResourceType[]; readonly inventory: Inventory };

  /** Records what the control plane holds now, the state reset() returns it to. */
  async captureBaseline(): Promise<void> {
    const types = await resourceTypes(this.client);
    this.baseline = { types, inventory: await takeInventory(this.client, types) };
  }

  /**
   * Back to the captured baseline for the next simulation (control-plane-reset.ts); resolves with
   * undefined when it is, else with why it is not (the caller stops it then).
   */
  async reset(): Promise<string | undefined> {
    if (!this.baseline) return 'no baseline was captured';
    if (this.exited.length > 0) return this.exited.join('; ');
    const problem = await resetToBaseline(this.client, this.baseline.inventory, this.baseline.types);
    // The last simulation's CRDs are gone: so is what discovery said of them.
    this.client.resetDiscovery();
    return problem;
  }

  /** The options it was started with. */
  get options(): ControlPlaneOptions {
    return this.opts;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.client.close();
    const waits = [...this.processes].reverse().map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          // SIGKILL, not SIGTERM: the store is thrown away, and a graceful kube-apiserver and etcd
          // shutdown took 5 s of every simulation.
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(waits);
    if (!this.opts.keep) rmSync(this.dir, { recursive: true, force: true });
  }
}
