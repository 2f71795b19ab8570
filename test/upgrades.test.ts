// Upgrades: a version bump in the environment file must not make Terraform replace a VM (the
// control plane above all), and `npm run review` says what changed and how to roll it out.
import { diffDocs, formatChanges, type Doc } from '../src/review/diff';
import { diffVersions, formatVersionChanges, upgradeNotes } from '../src/review/versions';
import { replacementCauses } from '../src/review/terraform-replacement';
import { environmentVersions } from '../src/render/environment-versions';
import { set, synthStack, tdxData, environment, type SynthesizedStack } from './infra-support';

/** The stack's resources as review documents. */
function docs(stack: SynthesizedStack): Doc[] {
  return Object.entries(stack.json.resource).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => {
      const { ['//']: _meta, ...resource } = body;
      return { group: 'terraform azure-tdx', id: `${type}.${name}`, kind: type, body: resource };
    }),
  );
}

/** The same environment with every node software version moved. */
const bumped = () =>
  set(set(set(set(tdxData(), 'infrastructure/tdx/versions/containerd', '2.2.7'), 'infrastructure/tdx/versions/runc', '1.3.6'), 'infrastructure/tdx/versions/kubernetes', '1.36.4'), 'infrastructure/tdx/versions/cilium', '1.19.3');

describe('a version bump on the Terraform JSON', () => {
  const before = docs(synthStack(tdxData()));
  const after = docs(synthStack(bumped()));
  const changes = diffDocs(before, after);

  it('changes the bootstrap of every VM (the bump is real) ...', () => {
    const vms = changes.filter((c) => c.id.startsWith('azurerm_linux_virtual_machine.'));
    expect(vms.map((c) => [c.id, c.paths])).toEqual([
      ['azurerm_linux_virtual_machine.k8s_control_1_vm', ['custom_data']],
      ['azurerm_linux_virtual_machine.k8s_worker_1_vm', ['custom_data']],
      ['azurerm_linux_virtual_machine.kbs_server_vm', ['custom_data']],
    ]);
  });

  it('... and replaces nothing: custom_data is in lifecycle.ignore_changes', () => {
    expect(changes.filter((c) => c.replaces)).toEqual([]);
    expect(formatChanges(changes, 'HEAD').trimEnd().split('\n').pop()).toBe('0 added, 0 removed, 3 changed; 0 security-relevant; 0 Terraform replacements');
  });

  it('the model is not vacuous: without the lifecycle rule the control plane would be replaced', () => {
    const stripped = after.map((d) => {
      const { lifecycle: _lifecycle, ...body } = d.body as Record<string, unknown>;
      return { ...d, body };
    });
    const control = diffDocs(before, stripped).find((c) => c.id === 'azurerm_linux_virtual_machine.k8s_control_1_vm');
    // The lifecycle block itself disappears too; custom_data is what forces the new VM.
    expect(control?.replaces).toEqual(['custom_data']);
    expect(replacementCauses('azurerm_linux_virtual_machine', {}, ['os_disk.name'])).toEqual(['os_disk']);
    expect(replacementCauses('azurerm_linux_virtual_machine', {}, ['size', 'tags.team'])).toEqual([]);
    expect(replacementCauses('azurerm_unknown_thing', {}, ['x'])).toEqual(['(type not modelled)']);
  });
});

describe('npm run review: the Versions section', () => {
  it('lists each version change of an environment with its upgrade notes', () => {
    const at = (data: ReturnType<typeof tdxData>) => new Map([['azure-tdx', environmentVersions(environment(data).config)]]);
    const text = formatVersionChanges(diffVersions(at(bumped()), at(tdxData())));
    expect(text.split('\n').filter((l) => !l.startsWith('      note:'))).toEqual([
      'Versions:',
      '  azure-tdx: Cilium 1.19.3 -> 1.20.1',
      '  azure-tdx: Kubernetes (kubeadm nodes) 1.36.4 -> 1.36.5',
      '  azure-tdx: containerd (nodes) 2.2.7 -> 2.3.4',
      '  azure-tdx: runc (nodes) 1.3.6 -> 1.4.3',
      '',
      '',
    ]);
    expect(text).toContain('      note: existing nodes keep their version (Terraform ignores custom_data): kubeadm upgrade apply on the control plane, then kubeadm upgrade node on each node, one at a time (docs/infrastructure.md#upgrades)');
    expect(text).toContain('      note: on the control plane: cilium upgrade --version 1.20.1 --values /etc/coco/cilium-values.yaml (docs/infrastructure.md#upgrades)');
  });

  it('warns about minor skips, downgrades and the matched release set', () => {
    expect(upgradeNotes('Kubernetes (kubeadm nodes)', '1.34.2', '1.36.5')[0]).toBe('kubeadm upgrades one minor at a time: 2 upgrades, each to be rendered and applied in turn');
    expect(upgradeNotes('Cilium', '1.20.1', '1.19.3')[0]).toContain('a downgrade');
    expect(upgradeNotes('Trustee KBS', 'v0.21.0', 'v0.22.0')).toEqual([
      'Trustee, guest-components, Kata and the CoCo chart move in lockstep (one matched release set); the KBS config format changes between Trustee releases',
    ]);
  });
});
