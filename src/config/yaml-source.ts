/**
 * An environment file as YAML: parsed strictly, turned into plain JSON data, and located (JSON path
 * to line and column). YAML features that have no place in a JSON-shaped configuration are refused
 * with their position: undefined aliases, alias expansion bombs, unknown tags, and values JSON
 * cannot hold (`!!binary`, `!!set`, `!!timestamp`, `.inf`).
 */
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from 'yaml';
import { NO_FIELD, UserInputError, type InputProblem } from './errors';

/** A parsed file with what is needed to turn JSON paths back into positions. */
export interface YamlSource {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

/**
 * Alias expansions a document may make (the yaml library's own default): enough for any sensible
 * reuse, far too few for a "billion laughs" document to exhaust memory.
 */
export const MAX_ALIAS_COUNT = 100;

export function parseYaml(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, strict: true, prettyErrors: true });
  // Warnings (an unknown tag such as `!foo`) would silently turn a value into a string: refuse them too.
  const messages = [...doc.errors, ...doc.warnings];
  if (messages.length > 0) {
    throw new UserInputError(
      messages.map((e) => ({ file, path: NO_FIELD, expected: 'valid YAML', found: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0].line, column: e.linePos?.[0].col })),
    );
  }
  return { file, doc, lines };
}

/** The document as plain JSON data (`undefined` for an empty document). */
export function yamlData(source: YamlSource): unknown {
  const { file, doc } = source;
  const unresolved = aliases(doc).filter((a) => a.resolve(doc) === undefined);
  if (unresolved.length > 0) {
    throw new UserInputError(unresolved.map((a) => ({ file, path: NO_FIELD, expected: 'an alias to an anchor defined before it', found: `undefined alias *${a.source}`, ...position(source, a) })));
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    const first = aliases(doc)[0];
    const bomb = /alias count/i.test(e.message);
    throw new UserInputError([
      {
        file,
        path: NO_FIELD,
        expected: bomb ? `aliases that expand to a small document (at most ${MAX_ALIAS_COUNT} expansions)` : 'YAML that converts to JSON data',
        found: bomb ? 'aliases that expand exponentially (an alias bomb)' : e.message,
        ...(first ? position(source, first) : {}),
      },
    ]);
  }
  const problems = nonJsonValues(data, '').map((p) => ({ file, ...p, ...locate(source, p.path) }));
  if (problems.length > 0) throw new UserInputError(problems);
  return data;
}

function aliases(doc: Document): Alias[] {
  const found: Alias[] = [];
  visit(doc, { Alias: (_, node) => void found.push(node) });
  return found;
}

function position(source: YamlSource, node: Node): { line?: number; column?: number } {
  if (!node.range) return {};
  const pos = source.lines.linePos(node.range[0]);
  return { line: pos.line, column: pos.col };
}

/** Values only YAML can express: JSON Schema validation would describe them misleadingly. */
function nonJsonValues(value: unknown, path: string): Omit<InputProblem, 'file'>[] {
  const bad = (found: string) => [{ path, expected: 'a JSON value (string, number, true/false, null, list or mapping)', found }];
  if (typeof value === 'number' && !Number.isFinite(value)) return bad(`the number ${String(value)}`);
  if (value instanceof Uint8Array) return bad('binary data (!!binary)');
  if (value instanceof Set) return bad('a set (!!set)');
  if (value instanceof Map) return bad('an ordered map (!!omap)');
  if (value instanceof Date) return bad('a timestamp (!!timestamp); quote it to make it a string');
  if (Array.isArray(value)) return value.flatMap((v, i) => nonJsonValues(v, `${path}/${i}`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => nonJsonValues(v, `${path}/${escapePointer(k)}`));
  return [];
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Line/column of the deepest node on `path` present in the file (defaults have no node). */
export function locate(source: YamlSource, path: string): { line?: number; column?: number } {
  const segments = path === '' || path === NO_FIELD ? [] : path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = nodeAt(source.doc, segments.slice(0, depth));
    if (node?.range) return position(source, node);
  }
  return {};
}

function nodeAt(doc: Document, segments: string[]): Node | undefined {
  const valueAt = (path: string[]): unknown => (path.length === 0 ? doc.contents : doc.getIn(path, true));
  if (segments.length === 0) {
    const root = valueAt([]);
    return isNode(root) ? root : undefined;
  }
  const parent = valueAt(segments.slice(0, -1));
  if (isMap(parent)) {
    // Point at the key itself, so an unknown key is reported where it is written.
    const last = segments[segments.length - 1];
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
    return pair && isScalar(pair.key) ? pair.key : undefined;
  }
  const child = valueAt(segments);
  return isNode(child) ? child : undefined;
}
