// The picture in POSTURE.md (src/render/posture-diagram.ts): Mermaid that Mermaid's own parser
// accepts, every rendered component on the node pools it can be scheduled to, the trust
// boundaries and the key-release flow.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadEnvironment } from '../src/config/load';
import { buildManifests, type RenderedFolder } from '../src/k8s/bundle';
import { podSpecOf } from '../src/render/pod-spec';
import { mermaidId, postureDiagram } from '../src/render/posture-diagram';
import { repoRoot } from './support/tools';
import { SHIPPED_ENVIRONMENTS } from './support/shipped';

const ENVIRONMENTS = SHIPPED_ENVIRONMENTS;

interface ParseResult {
  readonly ok: boolean;
  readonly type?: string;
  readonly error?: string;
}

/** Mermaid's parser on each source, in one child process (test/support/mermaid-parse.mjs). */
function parse(sources: readonly string[]): ParseResult[] {
  const r = spawnSync(process.execPath, [join(__dirname, 'support/mermaid-parse.mjs')], { input: JSON.stringify(sources), encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as ParseResult[];
}

const rendered = new Map<string, { folders: RenderedFolder[]; diagram: string }>();
beforeAll(() => {
  for (const name of ENVIRONMENTS) {
    const env = loadEnvironment(repoRoot(), name);
    const folders = buildManifests(env);
    rendered.set(name, { folders, diagram: postureDiagram(env, folders) });
  }
});
const diagramOf = (name: string): string => rendered.get(name)?.diagram ?? '';

describe('POSTURE.md picture', () => {
  it('every shipped diagram parses as a Mermaid flowchart; broken ones do not (control)', () => {
    const good = ENVIRONMENTS.map(diagramOf);
    const tdx = diagramOf('azure-tdx');
    const broken = [
      tdx.replace('\n  end\n', '\n'), // a subgraph left open
      `${tdx}\n  arm -->`, // an edge without a target
      tdx.replace('arm["Azure Resource Manager', 'arm["Azure "Resource" Manager'), // a bare quote inside a label
    ];
    expect(broken.every((b) => b !== tdx)).toBe(true);
    const results = parse([...good, ...broken]);
    expect(results.slice(0, good.length)).toEqual(good.map(() => ({ ok: true, type: 'flowchart-v2' })));
    for (const r of results.slice(good.length)) expect(r).toEqual({ ok: false, error: expect.stringMatching(/error/i) });
  });

  it('POSTURE.md in dist/ holds the diagram the code renders', () => {
    for (const name of ENVIRONMENTS) expect(readFileSync(join(repoRoot(), 'dist', name, 'POSTURE.md'), 'utf8')).toContain(`\`\`\`mermaid\n${diagramOf(name)}\n\`\`\`\n`);
  });

  it.each(ENVIRONMENTS)('%s: every rendered component, workload and RuntimeClass appears', (name) => {
    const { folders, diagram } = rendered.get(name) ?? { folders: [], diagram: '' };
    const components = [...new Set(folders.map((f) => f.folder.split('/')[0] ?? '').filter((c) => c !== 'argocd' && c !== 'bootstrap'))];
    expect(components.length).toBeGreaterThan(0);
    for (const component of components) {
      const objects = folders.filter((f) => f.folder.split('/')[0] === component).flatMap((f) => f.objects.filter((o) => podSpecOf(o) || o.kind === 'RuntimeClass'));
      expect(objects.length).toBeGreaterThan(0);
      for (const o of objects) {
        const shown = o.kind === 'RuntimeClass' ? `"runtime: RuntimeClass ${o.metadata.name};` : `: ${o.kind} ${o.metadata.namespace}/${o.metadata.name}"`;
        expect(diagram).toContain(shown);
      }
    }
    expect(diagram).not.toContain('no node of the model can run these');
  });

  it('is deterministic, with ids derived from names (never a Mermaid keyword)', () => {
    const env = loadEnvironment(repoRoot(), 'azure-tdx');
    expect(postureDiagram(env, buildManifests(env))).toBe(diagramOf('azure-tdx'));
    expect(mermaidId('pool', 'k8s-worker')).toBe('pool__k8s_worker');
    expect(diagramOf('azure-tdx')).not.toMatch(/^\s*end\[/m);
  });

  it('azure-tdx: pools from the infrastructure model inside the TDX TEE, the host and the Azure control plane as boundaries', () => {
    const d = diagramOf('azure-tdx');
    expect(d).toContain('subgraph azure["Azure control plane');
    expect(d).toContain('subgraph host["Host: the Azure hypervisor, outside every TEE"]');
    expect(d).toContain('subgraph tee__Intel_TDX_confidential_VMs["TEE: Intel TDX confidential VMs');
    expect(d).toContain('subgraph pool__k8s_worker["pool k8s-worker: k8s-worker-1 (Standard_DC2eds_v5)"]');
    // KBS on its own node; the installer on the labelled workers; node-level key release.
    expect(d).toMatch(/subgraph pool__kbs_server\[[^\n]*\]\n\s+w__kbs_server__kbs__Deployment_coco_tenant_kbs\[/);
    expect(d).toMatch(/subgraph pool__k8s_worker\[[^\n]*\]\n(\s+\S+\[[^\n]*\]\n)*\s+w__k8s_worker__guest_components__DaemonSet_coco_guest_components_guest_components_installer\[/);
    expect(d).not.toContain('w__k8s_control__guest_components');
    const kbs = 'w__kbs_server__kbs__Deployment_coco_tenant_kbs';
    expect(d).toContain(`aa__k8s_worker -->|"1 evidence"| ${kbs}`);
    expect(d).toContain(`${kbs} -->|"2 keys after attestation"| cdh__k8s_worker`);
    expect(d).toContain('cdh__k8s_worker -->|"3 image keys"| ctd__k8s_worker');
    expect(d).toMatch(/ctd__k8s_worker -->\|"4 decrypted layers"\| w__k8s_worker__workloads_/);
  });

  it('bare-metal: the hosts are outside the TEE, each Kata guest is its own TEE with the key release inside', () => {
    const d = diagramOf('bare-metal');
    expect(d).not.toContain('subgraph azure[');
    expect(d).toContain('subgraph host["Host: your machines, outside the TEE');
    expect(d).toContain('subgraph guest__tdx_host__kata_qemu_tdx["runtime: RuntimeClass kata-qemu-tdx; TEE: Kata guest in an Intel TDX trust domain"]');
    expect(d).toContain('subgraph guest__snp_host__kata_qemu_snp["runtime: RuntimeClass kata-qemu-snp; TEE: Kata guest in an AMD SEV-SNP VM"]');
    expect(d).toMatch(/aa__tdx_host__kata_qemu_tdx -->\|"1 evidence"\| w__\w+__kbs__Deployment_coco_tenant_kbs/);
    expect(d).toMatch(/cdh__tdx_host__kata_qemu_tdx -->\|"3 secrets, decrypted image"\| w__tdx_host__kata_qemu_tdx__workloads_confidential_app__Deployment_/);
    // coco-dev's guest has no TEE, and the picture says so.
    expect(diagramOf('coco-dev')).toContain('Kata guest, NO TEE (sample attester, dev only)');
  });

  it('aks-cvm: the confidential pool is the TEE, the system pool is not, and MAA and Key Vault release the key', () => {
    const d = diagramOf('aks-cvm');
    expect(d).toMatch(/subgraph tee__AKS_confidential_VMs\[[^\n]*\]\n\s+subgraph pool__cvm\[/);
    expect(d).toMatch(/subgraph host\[[^\n]*\]\n\s+subgraph pool__system\[/);
    expect(d).toContain('-->|"1 vTPM evidence"| maa__cocoakscvmmaa');
    expect(d).toContain('kv__kv_coco_aks_cvm -->|"4 released key"|');
  });
});

describe('POSTURE.md picture of aks-peer-pods', () => {
  it('puts the nodes outside every TEE, the KBS pool inside one, and each kata-remote pod in its own confidential VM', () => {
    // Mermaid's parser accepted it with every shipped diagram above (one Node process for all).
    const d = diagramOf('azure-peer-pods');
    expect(d).toMatch(/subgraph host\[[^\n]*\]\n\s+subgraph pool__system\["pool system: [^\n]*\(Standard_D4s_v5\); AKS nodes \(regular VMs\)"\]/);
    expect(d).toMatch(/subgraph tee__KBS_confidential_VMs\["TEE: KBS confidential VMs \(the node is the trust boundary\)"\]\n\s+subgraph pool__kbs\[/);
    expect(d).toContain('runtime: RuntimeClass kata-remote; TEE: each pod in its own Azure confidential VM (peer pod, created by cloud-api-adaptor)');
  });
});
