import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { listFiles } from '../render/files';
import type { K8sObject } from '../shared/k8s-object';
import type { Doc } from './diff';

/** Kubernetes objects below `<root>/dist` and Terraform resources below `<root>/cdktf.out/stacks`. */
export function collectDocs(root: string): Doc[] {
  const docs: Doc[] = [];
  const dist = join(root, 'dist');
  if (existsSync(dist)) {
    for (const file of listFiles(dist).filter((f) => f.endsWith('.yaml'))) {
      const o = parse(readFileSync(join(dist, file), 'utf8')) as K8sObject;
      const folder = file.split('/').slice(0, -1).join('/');
      docs.push({ group: folder, id: `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`, kind: o.kind, body: o });
    }
  }
  const stacks = join(root, 'cdktf.out/stacks');
  if (existsSync(stacks)) {
    for (const env of readdirSync(stacks).sort()) {
      const file = join(stacks, env, 'cdk.tf.json');
      if (!existsSync(file)) continue;
      const tf = JSON.parse(readFileSync(file, 'utf8')) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
      for (const [type, byName] of Object.entries(tf.resource ?? {})) {
        for (const [name, body] of Object.entries(byName)) {
          // Drop cdktf's construct-path metadata: it is not part of the infrastructure.
          const { ['//']: _meta, ...resource } = body;
          docs.push({ group: `terraform ${env}`, id: `${type}.${name}`, kind: type, body: resource });
        }
      }
    }
  }
  return docs;
}
