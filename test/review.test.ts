import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedPaths, diffDocs, formatChanges, type Doc } from '../src/review/diff';
import { repoRoot } from './support/tools';

const deployment = (image: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'kbs', namespace: 'coco-tenant' },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'kbs', image, securityContext: { privileged } }] } } },
});
const doc = (id: string, kind: string, body: unknown, group = 'azure-tdx/kbs'): Doc => ({ group, id, kind, body });

describe('diff engine', () => {
  it('names changed leaf paths, with list indexes', () => {
    expect(changedPaths(deployment('a:1', false), deployment('a:2', true))).toEqual([
      'spec.template.spec.containers[0].image',
      'spec.template.spec.containers[0].securityContext.privileged',
    ]);
    expect(changedPaths({ a: [1, 2] }, { a: [1] })).toEqual(['a']);
    expect(changedPaths({ a: 1 }, { a: 1 })).toEqual([]);
  });

  it('flags security-relevant changes and reports added and removed objects', () => {
    const before = [doc('Deployment/coco-tenant/kbs', 'Deployment', deployment('a:1', false)), doc('ConfigMap/coco-tenant/old', 'ConfigMap', { data: { x: '1' } })];
    const after = [
      doc('Deployment/coco-tenant/kbs', 'Deployment', deployment('a:2', true)),
      doc('NetworkPolicy/coco-tenant/kbs', 'NetworkPolicy', { spec: {} }),
      doc('azurerm_network_security_rule.ssh', 'azurerm_network_security_rule', { source_address_prefix: '*' }, 'terraform azure-tdx'),
    ];
    const changes = diffDocs(before, after);
    expect(changes.map((c) => `${c.op} ${c.group} ${c.id} [${c.flags.join(', ')}]`)).toEqual([
      '- azure-tdx/kbs ConfigMap/coco-tenant/old []',
      '~ azure-tdx/kbs Deployment/coco-tenant/kbs [image, privileged, security context]',
      '+ azure-tdx/kbs NetworkPolicy/coco-tenant/kbs [network policy]',
      '+ terraform azure-tdx azurerm_network_security_rule.ssh [NSG rules]',
    ]);
    const text = formatChanges(changes, 'main');
    expect(text).toContain('  ~ Deployment/coco-tenant/kbs   [SECURITY: image, privileged, security context]\n      spec.template.spec.containers[0].image\n');
    expect(text.trimEnd().split('\n').pop()).toBe('2 added, 1 removed, 1 changed; 3 security-relevant; 0 Terraform replacements');
  });

  it('says so when nothing changed', () => {
    expect(formatChanges(diffDocs([], []), 'HEAD')).toBe('No changes to the rendered output against HEAD.\n');
  });
});

describe('npm run review on a git repository', () => {
  it('renders the ref in a worktree and reports the working-tree change', () => {
    const clone = join(mkdtempSync(join(tmpdir(), 'coco-review-test-')), 'repo');
    execFileSync('git', ['clone', '--quiet', repoRoot(), clone]);
    symlinkSync(join(repoRoot(), 'node_modules'), join(clone, 'node_modules'));

    const env = join(clone, 'config/environments/coco-dev.yaml');
    writeFileSync(env, readFileSync(env, 'utf8').replace('workloads:\n  namespace: coco-demo', 'workloads:\n  namespace: coco-demo-two'));

    // As `npm run review` runs it in a fresh clone: run-built.js transpiles the clone's sources first.
    const r = spawnSync(process.execPath, ['scripts/run-built.js', 'build/src/cli/review.js', 'HEAD'], { cwd: clone, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Rendered output compared with HEAD:');
    expect(r.stdout).toMatch(/\n {2}~ AppProject\/argocd\/coco-dev {3}\[SECURITY: Argo CD project permissions\]\n/);
    expect(r.stdout).toContain('  + Namespace/coco-demo-two');
    expect(r.stdout).toContain('  - Namespace/coco-demo');
    // The working tree's config/fleet.yaml is rendered too: the unchanged fleet is no change.
    expect(r.stdout).not.toMatch(/^fleet$/m);
    expect(r.stdout).not.toContain('ApplicationSet/');

    const bad = spawnSync(process.execPath, ['scripts/run-built.js', 'build/src/cli/review.js', 'no-such-ref'], { cwd: clone, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('error: command line: -: expected a git commit, branch or tag, found "no-such-ref"');
    // The worktree is gone again.
    expect(execFileSync('git', ['worktree', 'list'], { cwd: clone, encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
  });
});
