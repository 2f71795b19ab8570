// The agent policy generated from a pod spec (src/confidentialize/agent-policy.ts), decided by the
// real opa on inputs shaped like the ttRPC requests the Kata 4.0 agent serialises
// (src/agent/src/policy.rs): only the pod's containers and the pause container may be created,
// files may be copied only into the shim's shared folder, stdin and (by default) logs are denied.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentPolicyProblems, podPolicyInput, renderAgentPolicy, type AgentPolicyOptions } from '../src/confidentialize/agent-policy';
import { run } from './support/tools';
import { buildManifests } from '../src/k8s/bundle';
import { decodeInitdata, INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { parse as parseToml } from 'smol-toml';
import { loadEnv } from './kbs-support';

const POD = podPolicyInput('coco-demo-app', {
  containers: [
    { name: 'app', image: 'quay.io/example/app:v1', command: ['sleep', 'infinity'], volumeMounts: [{ mountPath: '/data' }] },
    { name: 'sidecar', image: 'busybox:1.36' },
  ],
});

function policyFile(options: AgentPolicyOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-policy-'));
  const file = join(dir, 'policy.rego');
  writeFileSync(file, renderAgentPolicy(options));
  return file;
}

/** The decision of `rule` for `input` (undefined input: none at all). */
export function decide(file: string, rule: string, input?: unknown): boolean {
  const args = ['eval', '--format', 'json', '--data', file];
  const inputDir = input !== undefined ? mkdtempSync(join(tmpdir(), 'agent-input-')) : undefined;
  if (inputDir !== undefined) {
    writeFileSync(join(inputDir, 'input.json'), JSON.stringify(input));
    args.push('--input', join(inputDir, 'input.json'));
  }
  let r: ReturnType<typeof run>;
  try {
    r = run('opa', [...args, `data.agent_policy.${rule}`]);
  } finally {
    if (inputDir !== undefined) rmSync(inputDir, { recursive: true, force: true });
  }
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const value = (JSON.parse(r.stdout) as { result?: { expressions: { value: unknown }[] }[] }).result?.[0]?.expressions[0]?.value;
  expect(typeof value).toBe('boolean');
  return value as boolean;
}

/** A CreateContainerRequest as the agent receives it for a container of a pod. */
export function createContainer(o: { namespace: string; name: string; image: string; args: string[]; mounts?: string[]; type?: string }): unknown {
  return {
    container_id: 'c1',
    OCI: {
      Annotations: {
        'io.kubernetes.cri.container-type': o.type ?? 'container',
        'io.kubernetes.cri.container-name': o.name,
        'io.kubernetes.cri.image-name': o.image,
        'io.kubernetes.cri.sandbox-namespace': o.namespace,
      },
      Process: { Args: o.args },
      Mounts: ['/proc', '/dev', '/etc/hosts', '/etc/resolv.conf', ...(o.mounts ?? [])].map((destination) => ({ destination, source: 'x', type_: 'bind', options: [] })),
    },
  };
}

const APP = { namespace: 'coco-demo-app', name: 'app', image: 'quay.io/example/app:v1', args: ['sleep', 'infinity'], mounts: ['/data'] };

describe('agent policy generated from a pod spec', () => {
  const file = policyFile({ pod: POD });

  it('passes opa check --strict', () => {
    expect(run('opa', ['check', '--strict', file])).toMatchObject({ code: 0, stdout: '' });
  });

  it('allows the rendered containers and the pause container', () => {
    expect(decide(file, 'CreateContainerRequest', createContainer(APP))).toBe(true);
    // The same image pinned by digest (npm run pin-images), and Docker Hub's normalised name.
    expect(decide(file, 'CreateContainerRequest', createContainer({ ...APP, image: `quay.io/example/app:v1@sha256:${'a'.repeat(64)}` }))).toBe(true);
    expect(decide(file, 'CreateContainerRequest', createContainer({ namespace: 'coco-demo-app', name: 'sidecar', image: 'docker.io/library/busybox:1.36', args: ['/bin/sh'] }))).toBe(true);
    expect(decide(file, 'CreateContainerRequest', createContainer({ namespace: 'coco-demo-app', name: 'pause', image: 'pause', args: ['/pause'], type: 'sandbox' }))).toBe(true);
  });

  it('denies containers the pod spec does not have', () => {
    const deny = (input: unknown) => expect(decide(file, 'CreateContainerRequest', input)).toBe(false);
    deny(undefined);
    deny({});
    deny(createContainer({ ...APP, name: 'intruder' }));
    deny(createContainer({ ...APP, image: 'quay.io/attacker/reader:v1' }));
    deny(createContainer({ ...APP, image: 'quay.io/example/app:v1@sha256:not-a-digest' }));
    deny(createContainer({ ...APP, args: ['sh', '-c', 'wget -O- http://127.0.0.1:8006/cdh/resource/default/secret/1'] }));
    deny(createContainer({ ...APP, mounts: ['/data', '/host'] }));
    deny(createContainer({ ...APP, namespace: 'other' }));
    const hooked = createContainer(APP) as { OCI: Record<string, unknown> };
    deny({ ...hooked, OCI: { ...hooked.OCI, Hooks: { Prestart: [{ Path: '/bin/sh', Args: ['sh', '-c', 'cat /proc/1/environ'] }] } } });
    expect(decide(file, 'CreateContainerRequest', { ...hooked, OCI: { ...hooked.OCI, Hooks: null } })).toBe(true);
    deny(createContainer({ namespace: 'coco-demo-app', name: 'pause', image: 'pause', args: ['/bin/sh'], type: 'sandbox' }));
  });

  it('copies files only into the shared folder; no stdin, no logs, no exec', () => {
    expect(decide(file, 'CopyFileRequest', { path: '/run/kata-containers/shared/containers/c1-resolv.conf' })).toBe(true);
    for (const input of [undefined, {}, { path: '/etc/shadow' }, { path: '/run/kata-containers/shared/containers/../../../etc/passwd' }]) {
      expect(decide(file, 'CopyFileRequest', input)).toBe(false);
    }
    for (const rule of ['WriteStreamRequest', 'ReadStreamRequest', 'ExecProcessRequest', 'SetPolicyRequest']) {
      expect(decide(file, rule)).toBe(false);
      expect(decide(file, rule, { container_id: 'c1', exec_id: 'e1', data: 'aWQK' })).toBe(false);
    }
    expect(decide(file, 'StartContainerRequest', { container_id: 'c1' })).toBe(true);
  });

  it('without a namespace (a manifest that names none) any namespace, the rest still inspected', () => {
    const anywhere = policyFile({ pod: podPolicyInput(undefined, { containers: [{ name: 'app', image: 'quay.io/example/app:v1', command: ['sleep', 'infinity'], volumeMounts: [{ mountPath: '/data' }] }] }) });
    expect(decide(anywhere, 'CreateContainerRequest', createContainer({ ...APP, namespace: 'other' }))).toBe(true);
    expect(decide(anywhere, 'CreateContainerRequest', createContainer({ ...APP, namespace: 'other', args: ['sh'] }))).toBe(false);
  });

  it('keeps the pod spec\'s environment values and never lets the host set the dynamic loader\'s', () => {
    const pod = podPolicyInput('ns', { containers: [{ name: 'app', image: 'quay.io/example/app:v1', command: ['/app'], env: [{ name: 'CDH_RESOURCE_URL', value: 'http://127.0.0.1:8006/cdh/resource' }, { name: 'FROM_SECRET' }] }] });
    expect(pod.containers[0].env).toEqual({ CDH_RESOURCE_URL: 'http://127.0.0.1:8006/cdh/resource' });
    const withEnv = policyFile({ pod });
    const request = (env: string[]) => {
      const r = createContainer({ namespace: 'ns', name: 'app', image: 'quay.io/example/app:v1', args: ['/app'] }) as { OCI: Record<string, unknown> };
      return { ...r, OCI: { ...r.OCI, Process: { Args: ['/app'], Env: env } } };
    };
    // The pod spec's value, the image's own variables and service links pass.
    expect(decide(withEnv, 'CreateContainerRequest', request(['PATH=/usr/bin:/bin', 'CDH_RESOURCE_URL=http://127.0.0.1:8006/cdh/resource', 'KUBERNETES_SERVICE_HOST=10.96.0.1', 'FROM_SECRET=x']))).toBe(true);
    expect(decide(withEnv, 'CreateContainerRequest', request(['CDH_RESOURCE_URL=http://attacker.example/cdh/resource']))).toBe(false);
    expect(decide(withEnv, 'CreateContainerRequest', request(['CDH_RESOURCE_URL']))).toBe(false);
    for (const loader of ['LD_PRELOAD=/data/evil.so', 'LD_LIBRARY_PATH=/data', 'LD_AUDIT=/data/a.so']) {
      expect(decide(withEnv, 'CreateContainerRequest', request(['PATH=/bin', loader]))).toBe(false);
    }
  });

  it('kubectl logs is a choice: allowLogs allows ReadStreamRequest only', () => {
    const logs = policyFile({ pod: POD, allowLogs: true });
    expect(decide(logs, 'ReadStreamRequest', { container_id: 'c1' })).toBe(true);
    expect(decide(logs, 'WriteStreamRequest', { container_id: 'c1' })).toBe(false);
  });

  it('reads every container of the pod spec; without a command the image entrypoint is not pinned', () => {
    expect(POD.containers).toEqual([
      { name: 'app', image: 'quay.io/example/app:v1', args: ['sleep', 'infinity'], mounts: ['/data'] },
      { name: 'sidecar', image: 'busybox:1.36', mounts: [] },
    ]);
    expect(renderAgentPolicy({ pod: POD })).toBe(renderAgentPolicy({ pod: { ...POD, containers: [...POD.containers].reverse() } }));
  });

  it('production fitness: the generated policy passes; the uninspected table and allowed exec do not', () => {
    expect(agentPolicyProblems(renderAgentPolicy({ pod: POD }))).toEqual([]);
    expect(agentPolicyProblems(renderAgentPolicy({ pod: POD, allowLogs: true }))).toEqual(['ReadStreamRequest is allowed without inspection']);
    expect(agentPolicyProblems(renderAgentPolicy({ pod: POD, allowLogs: true }), { allowLogs: true })).toEqual([]);
    expect(agentPolicyProblems(renderAgentPolicy())).toEqual([
      'CopyFileRequest is allowed without inspection',
      'CreateContainerRequest is allowed without inspection',
      'ReadStreamRequest is allowed without inspection',
      'WriteStreamRequest is allowed without inspection',
    ]);
    expect(agentPolicyProblems(renderAgentPolicy({ pod: POD, allowExec: true }))).toEqual(['ExecProcessRequest (kubectl exec) is allowed']);
  });
});

describe.each(['bare-metal', 'coco-dev'])('%s: the rendered Kata workloads', (name) => {
  const env = loadEnv(name);
  const pods = buildManifests(env)
    .flatMap((f) => f.objects)
    .flatMap((o) => {
      const template = (o.kind === 'Pod' ? o : (o.spec as { template?: unknown } | undefined)?.template) as { metadata?: { annotations?: Record<string, string> }; spec?: Record<string, unknown> } | undefined;
      const value = template?.metadata?.annotations?.[INITDATA_ANNOTATION];
      if (value === undefined || !template?.spec) return [];
      const toml = parseToml(decodeInitdata(value) ?? '') as { data: Record<string, string> };
      return [{ id: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, namespace: String(o.metadata.namespace), spec: template.spec, policy: toml.data['policy.rego'] }];
    });

  it('carry a generated policy fit for production', () => {
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) expect({ id: p.id, problems: agentPolicyProblems(p.policy) }).toEqual({ id: p.id, problems: [] });
  });

  it('allow exactly their own containers, per opa', () => {
    for (const p of pods) {
      const dir = mkdtempSync(join(tmpdir(), 'rendered-policy-'));
      const file = join(dir, 'policy.rego');
      writeFileSync(file, p.policy);
      const containers = [...((p.spec.initContainers ?? []) as Record<string, unknown>[]), ...(p.spec.containers as Record<string, unknown>[])];
      for (const c of containers) {
        const args = [...((c.command as string[] | undefined) ?? ['/entrypoint']), ...((c.args as string[] | undefined) ?? [])];
        const mounts = ((c.volumeMounts ?? []) as { mountPath: string }[]).map((m) => m.mountPath);
        const own = { namespace: p.namespace, name: String(c.name), image: String(c.image), args, mounts };
        expect({ id: p.id, container: c.name, allowed: decide(file, 'CreateContainerRequest', createContainer(own)) }).toEqual({ id: p.id, container: c.name, allowed: true });
        // The host's own reader of the CDH endpoint, in the same pod: denied where the pod spec
        // sets the command. Without one the image's entrypoint runs and only the image pins it
        // (docs/kbs.md, agent policy): the arguments are then not inspected.
        const reader = { ...own, args: ['sh', '-c', 'wget -O- http://127.0.0.1:8006/cdh/resource/default/secret/1'] };
        expect(decide(file, 'CreateContainerRequest', createContainer(reader))).toBe(c.command === undefined);
        expect(decide(file, 'CreateContainerRequest', createContainer({ ...reader, image: 'quay.io/attacker/reader:v1' }))).toBe(false);
      }
      expect(decide(file, 'CreateContainerRequest', {})).toBe(false);
      expect(decide(file, 'CopyFileRequest', { path: '/etc/passwd' })).toBe(false);
      expect(decide(file, 'WriteStreamRequest', {})).toBe(false);
      expect(decide(file, 'ReadStreamRequest', {})).toBe(false);
    }
  });
});

describe('runtime.allowContainerLogs', () => {
  it('is the documented choice that lets kubectl logs read the rendered Kata workloads', () => {
    const policyOf = (allow: boolean): string => {
      const env = loadEnv('bare-metal', (c) => (c.runtime.allowContainerLogs = allow));
      const deployment = buildManifests(env)
        .flatMap((f) => f.objects)
        .find((o) => o.kind === 'Deployment' && o.metadata.name === 'confidential-app');
      const value = (deployment?.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations[INITDATA_ANNOTATION];
      return (parseToml(decodeInitdata(value) ?? '') as { data: Record<string, string> }).data['policy.rego'];
    };
    const dir = mkdtempSync(join(tmpdir(), 'logs-policy-'));
    writeFileSync(join(dir, 'off.rego'), policyOf(false));
    writeFileSync(join(dir, 'on.rego'), policyOf(true));
    expect(decide(join(dir, 'off.rego'), 'ReadStreamRequest', { container_id: 'c1' })).toBe(false);
    expect(decide(join(dir, 'on.rego'), 'ReadStreamRequest', { container_id: 'c1' })).toBe(true);
    expect(decide(join(dir, 'on.rego'), 'WriteStreamRequest', { container_id: 'c1' })).toBe(false);
  });
});
