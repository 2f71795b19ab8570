// YAML 1.1 safety (src/shared/yaml11.ts): strings that YAML 1.1 readers (kubectl, Argo CD, Helm via
// go-yaml; cloud-init via PyYAML) would read as booleans, nulls or numbers come out quoted, and every
// YAML file the product writes (dist/, charts/, cloud-init custom data) reads the same with a YAML 1.1
// reader as with YAML 1.2: exactly the values that were meant.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments as parse12, stringify as yamlStringify } from 'yaml';
import { listFiles } from '../src/render/files';
import { parseAllDocuments, stringify, WRITE_COMPAT, YAML11_COMPAT } from '../src/shared/yaml11';
import { makeTempRepo } from './support/repo';
import { repoRoot } from './support/tools';

/** A real YAML 1.1 reader: the `yaml` package with version 1.1 types yes/no/on/off, 0755, 1:20, dates. */
function read11(text: string): unknown[] {
  return parse12(text, { version: '1.1' }).map((d) => d.toJS());
}
function read12(text: string): unknown[] {
  return parse12(text).map((d) => d.toJS());
}

/** Strings that are not strings to some YAML 1.1 reader. */
const RETYPED = [
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'true', 'False'],
  ...['~', 'null', 'Null', 'NULL', ''],
  ...['0755', '0o17', '-0o17', '0O17', '0x1F', '0X1F', '0b101', '0B11', '-0b1', '1_000', '+_1', '12', '-3', '089'],
  ...['1e3', '1E-3', '1.5', '.5', '-.5', '1.', '1_0.5', '.inf', '-.Inf', '.nan', '.NaN'],
  ...['1:20', '190:20:30', '1:20.5', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<'],
];

/** Strings that stay plain: quoting them would be noise in every rendered file. */
const PLAIN = ['hello', 'v1', '1.2.3', 'nginx:1.27', 'kata-qemu-tdx', 'app.kubernetes.io/name', '10.96.0.80', 'http://10.96.0.80:8080'];

describe('stringify', () => {
  it.each(RETYPED)('quotes %j, as a value and as a key', (s) => {
    const text = stringify({ [s]: s, list: [s] });
    expect(read11(text)).toEqual([{ [s]: s, list: [s] }]);
    expect(read12(text)).toEqual([{ [s]: s, list: [s] }]);
    // go-yaml's reading, as the confidentialize input reader does it.
    expect((parseAllDocuments(text) as ReturnType<typeof parse12>).map((d) => d.toJS())).toEqual([{ [s]: s, list: [s] }]);
  });

  it('leaves ordinary strings plain and keeps real booleans, numbers and null', () => {
    const text = stringify({ plain: PLAIN, b: true, i: 493, f: 1.5, z: null });
    for (const s of PLAIN) expect(text).toContain(`- ${s}\n`);
    expect(read11(text)).toEqual([{ plain: PLAIN, b: true, i: 493, f: 1.5, z: null }]);
  });
});

describe('the go-yaml reader for input', () => {
  it('types scalars as kubectl does: 1.1 booleans and octals, go-yaml numbers, timestamps and sexagesimals as strings', () => {
    const [doc] = parseAllDocuments('a: no\nb: On\nc: 0755\nd: 0X1F\ne: 1_0.5\nf: 1:20\ng: 2001-12-14\nh: "no"\ni: .\n') as ReturnType<typeof parse12>;
    expect(doc.toJS()).toEqual({ a: false, b: true, c: 493, d: 31, e: 10.5, f: '1:20', g: '2001-12-14', h: 'no', i: '.' });
  });
});

describe('every YAML file the product writes reads the same with YAML 1.1', () => {
  const dir = makeTempRepo();
  beforeAll(() => {
    const r = spawnSync(process.execPath, [join(repoRoot(), 'scripts/run-built.js'), 'build/src/cli/synth.js'], { cwd: dir, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`synth failed: ${r.stderr}`);
  }, 300_000);

  it('dist/ and the plain YAML of charts/ (Chart.yaml, values, ci values)', () => {
    const files = [
      ...listFiles(join(dir, 'dist')).map((f) => join('dist', f)),
      ...listFiles(join(dir, 'charts')).filter((f) => !f.includes('/templates/')).map((f) => join('charts', f)),
    ].filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(100);
    const differing = files.filter((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      return JSON.stringify(read11(text)) !== JSON.stringify(read12(text));
    });
    expect(differing).toEqual([]);
  });

  it('cloud-init custom data of every VM (PyYAML reads it the YAML 1.1 way)', () => {
    const stacks = listFiles(join(dir, 'cdktf.out/stacks')).filter((f) => f.endsWith('cdk.tf.json'));
    const customData = stacks.flatMap((f) => [...readFileSync(join(dir, 'cdktf.out/stacks', f), 'utf8').matchAll(/"custom_data": "([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')));
    const cloudConfigs = customData.filter((t) => t.startsWith('#cloud-config'));
    expect(cloudConfigs.length).toBeGreaterThan(0);
    for (const text of cloudConfigs) expect(JSON.stringify(read11(text))).toBe(JSON.stringify(read12(text)));
  });
});

describe('the writer quotes with one combined pattern', () => {
  it('quotes exactly the strings the full YAML 1.1 compat tag list quotes', () => {
    const corpus = ['no', 'No', 'NO', 'yes', 'on', 'OFF', 'y', 'Y', 'n', 'true', 'null', '~', '', '0755', '0o17', '0b101', '0x1F', '0X1F', '-0o17', '1_000', '1e3', '1E-3', '.5', '-.5', '1.', '+1', '1:20', '1:20.5', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '.inf', '-.Inf', '.NaN', '<<', 'hello', 'v1.2', '1.36', '3.10.2', 'sha256:abc', 'a: b', '10.0.0.0/16', '1_0.5', '_1', 'Yes please', 'on-call'];
    const full = (s: string) => yamlStringify({ v: s }, { compat: YAML11_COMPAT });
    const one = (s: string) => yamlStringify({ v: s }, { compat: WRITE_COMPAT });
    expect(corpus.filter((s) => full(s) !== one(s))).toEqual([]);
    // and it does quote (the comparison is not between two writers that never quote)
    expect(one('no')).toBe('v: "no"\n');
  });
});
