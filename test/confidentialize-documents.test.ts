// The YAML side of confidentialize: documents split as written (comments, markers, empty ones),
// changed documents patched in place (comments and quoting of untouched nodes kept), and the
// printed result of real-shaped inputs read back with a YAML 1.1 reader giving exactly the
// transformed values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments as parse12 } from 'yaml';
import { syncDocument } from '../src/confidentialize/document-sync';
import { confidentializeObjects } from '../src/confidentialize/transform';
import type { KataTarget } from '../src/confidentialize/target';
import { joinDocuments, parseDocuments, printDocument } from '../src/confidentialize/yaml-documents';
import { UserInputError } from '../src/config/errors';
import { repoRoot } from './support/tools';

const kata: KataTarget = { kind: 'kata', environment: 'dev', runtimeClass: 'kata-qemu-coco-dev', tee: 'sample', nodeSelector: {}, kbsUrl: 'http://10.96.0.80:8080', production: false };

/** parse → transform → patch → print, as the command does. */
function roundTrip(text: string, force = false): { yaml: string; values: unknown[] } {
  const parsed = parseDocuments('in.yaml', text);
  const out = confidentializeObjects(parsed.documents.map((d) => d.value), kata, { force });
  expect(out.problems).toEqual([]);
  const texts = parsed.documents.map((source, i) => {
    if (!out.documents[i].changed) return source.text;
    syncDocument(source.doc, source.value, out.documents[i].value);
    return printDocument(source.doc);
  });
  return { yaml: joinDocuments(texts), values: out.documents.map((d) => d.value) };
}

const read11 = (text: string) => parse12(text, { version: '1.1' }).map((d) => d.toJS() as unknown);

describe('documents as written', () => {
  it('keeps a leading comment with the first document, drops --- and ... markers, keeps empty documents', () => {
    const text = '# bundle\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n...\n---\n# Source: empty.yaml\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}';
    const parsed = parseDocuments('in.yaml', text);
    expect(parsed.documents.map((d) => d.text)).toEqual(['# bundle\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n', '# Source: empty.yaml\n', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n']);
    expect(parsed.documents.map((d) => d.value)).toEqual([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, null, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }]);
    expect(roundTrip(text).yaml).toBe('# bundle\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# Source: empty.yaml\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n');
  });

  it('reads values as kubectl does: an unquoted yes is true (and so refused as privileged)', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: x\n      securityContext: {privileged: yes}\n';
    const out = confidentializeObjects(parseDocuments('in.yaml', text).documents.map((d) => d.value), kata);
    expect(out.problems.map((p) => p.path)).toEqual(['/spec/containers/0/securityContext/privileged']);
  });

  it('refuses duplicate keys with their line', () => {
    expect(() => parseDocuments('in.yaml', 'apiVersion: v1\nkind: Pod\nkind: Job\n')).toThrow(UserInputError);
  });
});

describe('patching a changed document', () => {
  it('keeps comments and quoting of untouched nodes; new strings a 1.1 reader would re-type are quoted', () => {
    const parsed = parseDocuments('in.yaml', '# top\nmetadata:\n  name: web # the name\n  labels:\n    keep: "no"\nspec:\n  # mounts\n  mounts: [a, b, c]\n');
    const [source] = parsed.documents;
    syncDocument(source.doc, source.value, { metadata: { name: 'web', labels: { keep: 'no', tier: 'off' } }, spec: { mounts: ['a', 'c'] } });
    const text = printDocument(source.doc);
    expect(text).toContain('# top');
    expect(text).toContain('name: web # the name');
    expect(text).toContain('keep: "no"');
    expect(text).toContain('tier: "off"');
    expect(text).toContain('# mounts');
    expect(read11(text)).toEqual([{ metadata: { name: 'web', labels: { keep: 'no', tier: 'off' } }, spec: { mounts: ['a', 'c'] } }]);
  });

  it('a document with anchors is rewritten whole (one node stands for several places)', () => {
    const parsed = parseDocuments('in.yaml', 'a: &x {k: v}\nb: *x\n');
    const [source] = parsed.documents;
    syncDocument(source.doc, source.value, { a: { k: 'v' }, b: { k: 'w' } });
    expect(read11(printDocument(source.doc))).toEqual([{ a: { k: 'v' }, b: { k: 'w' } }]);
  });
});

describe('real-shaped inputs, read back with a YAML 1.1 reader', () => {
  it.each(['helm-template-web.yaml', 'postgresql-statefulset.yaml', 'kubectl-get-list.yaml', 'rollout.yaml'])('%s gives exactly the transformed values', (name) => {
    const text = readFileSync(join(repoRoot(), 'test/fixtures/confidentialize', name), 'utf8');
    const { yaml, values } = roundTrip(text);
    expect(read11(yaml)).toEqual(values.map((v) => v ?? null));
  });

  it('the PostgreSQL StatefulSet keeps its "no"/"off" env values as strings and gets its runtime class', () => {
    const text = readFileSync(join(repoRoot(), 'test/fixtures/confidentialize/postgresql-statefulset.yaml'), 'utf8');
    const [sts] = read11(roundTrip(text).yaml) as { spec: { template: { spec: { runtimeClassName: string; containers: { env: { name: string; value: unknown }[] }[] } } } }[];
    const env = Object.fromEntries(sts.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ POSTGRESQL_ENABLE_LDAP: 'no', POSTGRESQL_ENABLE_TLS: 'no', POSTGRESQL_PGAUDIT_LOG_CATALOG: 'off', BITNAMI_DEBUG: 'false' });
    expect(sts.spec.template.spec.runtimeClassName).toBe('kata-qemu-coco-dev');
  });

  it('a second run changes nothing: the confidential output comes back byte for byte', () => {
    const text = readFileSync(join(repoRoot(), 'test/fixtures/confidentialize/helm-template-web.yaml'), 'utf8');
    const once = roundTrip(text).yaml;
    expect(roundTrip(once).yaml).toBe(once);
    // Flow collections as helm writes them.
    expect(once).toContain('args: ["sh", "-c", "echo y"]');
  });
});
