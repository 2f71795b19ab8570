/**
 * Compares two renders (objects per file) and lists what was added, removed and changed, with the
 * changed field paths, flagging changes a security reviewer must look at.
 */
import { isDeepStrictEqual } from 'node:util';
import { replacementCauses, type TerraformResource } from './terraform-replacement';

/** A rendered document: a Kubernetes object or a Terraform resource, keyed by a readable id. */
export interface Doc {
  /** Group heading, e.g. `azure-tdx/kbs` or `terraform azure-tdx`. */
  readonly group: string;
  /** Identity inside the group, e.g. `Deployment/coco-tenant/kbs` or `azurerm_network_security_group.nsg`. */
  readonly id: string;
  /** Kubernetes kind or Terraform resource type (drives the security flags). */
  readonly kind: string;
  readonly body: unknown;
}

export interface Change {
  readonly group: string;
  readonly id: string;
  readonly op: '+' | '-' | '~';
  /** Changed leaf paths (for `~`), e.g. `spec.template.spec.containers[0].image`. */
  readonly paths: readonly string[];
  /** Why a reviewer must look closely (empty when nothing security-relevant changed). */
  readonly flags: readonly string[];
  /** Terraform resources only: the arguments whose change makes Terraform replace the resource. */
  readonly replaces?: readonly string[];
}

const SECURITY_KINDS: Readonly<Record<string, string>> = {
  NetworkPolicy: 'network policy',
  Role: 'RBAC',
  ClusterRole: 'RBAC',
  RoleBinding: 'RBAC',
  ClusterRoleBinding: 'RBAC',
  ServiceAccount: 'identity',
  AppProject: 'Argo CD project permissions',
  azurerm_network_security_group: 'NSG rules',
  azurerm_network_security_rule: 'NSG rules',
  azurerm_role_assignment: 'Azure RBAC',
  azurerm_key_vault: 'Key Vault',
  azurerm_key_vault_access_policy: 'Key Vault',
};

/** Field paths whose change is security-relevant wherever they occur. */
const SECURITY_PATHS: readonly { re: RegExp; flag: string }[] = [
  { re: /(^|\.)privileged$/, flag: 'privileged' },
  { re: /allowPrivilegeEscalation|capabilities/, flag: 'privileges' },
  { re: /securityContext/, flag: 'security context' },
  { re: /(^|\.)hostPID$|(^|\.)hostNetwork$|(^|\.)hostIPC$/, flag: 'host namespaces' },
  { re: /hostPath/, flag: 'hostPath' },
  { re: /(^|\.)image$/, flag: 'image' },
  { re: /runtimeClassName/, flag: 'runtime class' },
  { re: /io\.katacontainers\.config\.(agent\.policy|hypervisor\.cc_init_data)/, flag: 'agent policy / initdata' },
  { re: /\.rego|policy/i, flag: 'policy' },
  { re: /security_rule|source_address_prefix|destination_port_range/, flag: 'NSG rules' },
  { re: /serviceAccountName|automountServiceAccountToken/, flag: 'identity' },
];

/** Leaf paths where `a` and `b` differ (`[i]` for list items). */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, i) => changedPaths(item, b[i], `${prefix}[${i}]`));
  }
  return [prefix || '(whole document)'];
}

function flagsFor(kind: string, paths: readonly string[]): string[] {
  const flags = new Set<string>();
  if (SECURITY_KINDS[kind]) flags.add(SECURITY_KINDS[kind]);
  for (const p of paths) for (const { re, flag } of SECURITY_PATHS) if (re.test(p)) flags.add(flag);
  return [...flags].sort();
}

/** Every difference between `before` and `after`, sorted by group and id. */
export function diffDocs(before: readonly Doc[], after: readonly Doc[]): Change[] {
  const key = (d: Doc) => `${d.group}\u0000${d.id}`;
  const old = new Map(before.map((d) => [key(d), d]));
  const now = new Map(after.map((d) => [key(d), d]));
  const changes: Change[] = [];
  for (const k of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(k);
    const b = now.get(k);
    if (a && b) {
      const paths = changedPaths(a.body, b.body);
      if (paths.length) {
        const replaces = b.kind.startsWith('azurerm_') ? replacementCauses(b.kind, b.body as TerraformResource, paths) : [];
        changes.push({ group: b.group, id: b.id, op: '~', paths, flags: flagsFor(b.kind, paths), ...(replaces.length ? { replaces } : {}) });
      }
    } else {
      const d = (a ?? b) as Doc;
      // A new or removed object is judged by everything it contains.
      changes.push({ group: d.group, id: d.id, op: a ? '-' : '+', paths: [], flags: flagsFor(d.kind, allLeafPaths(d.body)) });
    }
  }
  return changes;
}

function allLeafPaths(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((item, i) => allLeafPaths(item, `${prefix}[${i}]`));
  if (typeof v === 'object' && v !== null) return Object.entries(v).flatMap(([k, c]) => allLeafPaths(c, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

/** The report printed by `npm run review`. */
export function formatChanges(changes: readonly Change[], against: string): string {
  if (changes.length === 0) return `No changes to the rendered output against ${against}.\n`;
  const lines: string[] = [`Rendered output compared with ${against}:`];
  let group = '';
  for (const c of changes) {
    if (c.group !== group) {
      group = c.group;
      lines.push('', group);
    }
    const flag = c.flags.length ? `   [SECURITY: ${c.flags.join(', ')}]` : '';
    const replaces = c.replaces ? `   [REPLACES the resource: ${c.replaces.join(', ')}]` : '';
    lines.push(`  ${c.op} ${c.id}${flag}${replaces}`);
    for (const p of c.paths) lines.push(`      ${p}`);
  }
  const count = (op: string) => changes.filter((c) => c.op === op).length;
  const security = changes.filter((c) => c.flags.length > 0).length;
  const replaced = changes.filter((c) => c.replaces).length;
  lines.push('', `${count('+')} added, ${count('-')} removed, ${count('~')} changed; ${security} security-relevant; ${replaced} Terraform replacements`);
  return `${lines.join('\n')}\n`;
}
