/**
 * YAML that YAML 1.1 readers read as intended, and a reader that types scalars the way they do.
 *
 * kubectl, Argo CD and Helm read YAML with sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 rules) and
 * cloud-init with PyYAML (YAML 1.1): there `no`, `on`, `y`, `0755`, `0b101`, `1_000`, `1:20` or
 * `2001-12-14` are not strings. The `yaml` package writes YAML 1.2, whose core schema leaves such
 * strings plain, so an env value `"no"` came back as `false` and the API server refused it.
 * Every YAML writer of the product goes through {@link stringify} here, which quotes any string a
 * YAML 1.1 reader, or go-yaml's own wider number syntax, would read as something else.
 */
import { parseAllDocuments as yamlParseAllDocuments, Schema, stringify as yamlStringify, type ScalarTag, type Tags } from 'yaml';

/** Options of the `yaml` package's stringify, as the writers pass them (lineWidth, aliases, ...). */
export type StringifyOptions = Exclude<Parameters<typeof yamlStringify>[2], string | number | undefined>;

/** Options of the `yaml` package's parseAllDocuments (line counter, strictness, ...). */
export type ParseOptions = NonNullable<Parameters<typeof yamlParseAllDocuments>[1]>;

/** The tags of the YAML 1.1 types (bool, null, int, float, sexagesimal, timestamp, merge key). */
const YAML11_TAGS: Tags = new Schema({ schema: 'yaml-1.1' }).tags;

/**
 * go-yaml v2 strips every `_` from a plain scalar that starts with a digit or a sign and then tries
 * Go's strconv.ParseInt with base 0, so `0X1F`, `0O17`, `-0o17` and `0B11` (which the YAML 1.1
 * tags miss) are integers to kubectl too. Its float rule (`yamlStyleFloat`) is the YAML 1.1 one
 * with `_` allowed anywhere, such as `1_0.5`.
 */
const GO_YAML_NUMBERS: readonly ScalarTag[] = [
  {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    test: /^(?:[-+]_*)?0_*(?:[xX]_*[0-9a-fA-F][0-9a-fA-F_]*|[oO]_*[0-7][0-7_]*|[bB]_*[01][01_]*)$/,
    resolve: (s) => goInteger(s.replace(/_/g, '')),
  },
  {
    tag: 'tag:yaml.org,2002:float',
    default: true,
    test: /^(?:(?:[-+]_*)?[0-9][0-9_]*(?:\.[0-9_]*)?|[-+]_*\._*[0-9][0-9_]*|\.[0-9]+)(?:[eE]_*[-+]?_*[0-9][0-9_]*)?$/,
    resolve: (s) => Number(s.replace(/_/g, '')),
  },
];

/** An integer in Go's base-0 syntax without underscores: sign, then 0x/0o/0b and digits. */
function goInteger(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.replace(/^[-+]/, '');
  const radix = { x: 16, o: 8, b: 2 }[digits[1].toLowerCase() as 'x' | 'o' | 'b'];
  return sign * Number.parseInt(digits.slice(2), radix);
}

/**
 * The `compat` schema of every writer: a plain string that any of these tags matches is quoted.
 * Only the tags' tests matter when writing; resolve is never called.
 */
export const YAML11_COMPAT: Tags = [...YAML11_TAGS, ...GO_YAML_NUMBERS];

/**
 * What the writer needs of YAML11_COMPAT, as one tag: `yaml` quotes a plain string when any
 * default, non-string compat tag's test matches it (stringify/stringifyString.js), so one test
 * with the union of those patterns quotes exactly the same strings, in one regex run per string
 * instead of some twenty (about a fifth of every stringify).
 */
export const WRITE_COMPAT: Tags = [
  {
    tag: 'tag:yaml.org,2002:int',
    default: true,
    test: new RegExp(
      YAML11_COMPAT.flatMap((t) => (typeof t === 'object' && 'test' in t && t.test && t.default && t.tag !== 'tag:yaml.org,2002:str' ? [`(?:${t.test.source})`] : [])).join('|'),
    ),
    resolve: (s: string) => s,
  },
];

/**
 * `yaml`'s stringify (YAML 1.2 core output), quoting every string a YAML 1.1 reader would re-type:
 * the one YAML writer of the product (dist/, charts/, cloud-init, `confidentialize`).
 */
export function stringify(value: unknown, options: StringifyOptions = {}): string {
  return yamlStringify(value, { ...options, compat: WRITE_COMPAT });
}

/**
 * The tags go-yaml v2 reads with: YAML 1.1's, less sexagesimal numbers (`1:20`) and timestamps,
 * which it reads as strings (for interface{} targets, which is how sigs.k8s.io/yaml decodes), and
 * with its own number rules instead of YAML 1.1's floats (which take `.` alone for a number).
 * What go-yaml reads as strings stays in {@link YAML11_COMPAT}, so other 1.1 readers get strings too.
 */
function goYamlTags(tags: Tags): Tags {
  const kept = tags.filter((t) => {
    if (typeof t !== 'object') return true;
    if (t.tag === 'tag:yaml.org,2002:timestamp' || ('format' in t && t.format === 'TIME')) return false;
    return !(t.tag === 'tag:yaml.org,2002:float' && 'test' in t && !t.test?.test('.inf') && !t.test?.test('.nan'));
  });
  return [...kept, ...GO_YAML_NUMBERS];
}

/**
 * Parses YAML the way kubectl, Argo CD and Helm do (YAML 1.1 types, go-yaml's choices), for input
 * those tools would read: `privileged: yes` is `true`, `mode: 0644` is 420. Documents keep the
 * {@link YAML11_COMPAT} schema, so strings set into them are quoted when written back.
 */
export function parseAllDocuments(text: string, options: ParseOptions = {}): ReturnType<typeof yamlParseAllDocuments> {
  return yamlParseAllDocuments(text, { ...options, version: '1.1', customTags: goYamlTags, compat: YAML11_COMPAT });
}
