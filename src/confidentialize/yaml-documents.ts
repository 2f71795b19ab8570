/**
 * Multi-document YAML in, located problems out: the `confidentialize` command reports
 * `file:line:col: /json/path: expected X, found Y` like the environment loader does.
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, stringify, type Document, type Node } from 'yaml';
import { UserInputError, type InputProblem } from '../config/errors';

export interface ParsedDocuments {
  readonly file: string;
  /** One value per non-empty document, in order. */
  readonly values: readonly unknown[];
  /** Turns a document index and JSON pointer into a problem with line and column. */
  readonly locate: (document: number, path: string, expected: string, found: string) => InputProblem;
}

/** Parses `text` (from `file`, used in messages); throws UserInputError on YAML errors or no documents. */
export function parseDocuments(file: string, text: string): ParsedDocuments {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, strict: true, prettyErrors: true });
  // parseAllDocuments returns an EmptyStream (no errors, no documents) for empty input.
  const list: Document[] = Array.isArray(docs) ? docs : [];
  const errors = list.flatMap((d) => d.errors);
  if (errors.length > 0) {
    throw new UserInputError(
      errors.map((e) => ({ file, path: '', expected: 'valid YAML', found: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0].line, column: e.linePos?.[0].col })),
    );
  }
  // Empty documents (a trailing `---`, comments only) carry nothing to transform.
  const kept = list.filter((d) => d.toJS() !== null && d.toJS() !== undefined);
  if (kept.length === 0) throw new UserInputError([{ file, path: '', expected: 'at least one Kubernetes workload document', found: 'an empty input' }]);
  return {
    file,
    values: kept.map((d) => d.toJS() as unknown),
    locate: (document, path, expected, found) => {
      const doc = kept[document];
      const where = doc ? position(doc, lines, path) : {};
      const prefix = kept.length > 1 && document >= 0 ? `document ${document + 1}: ` : '';
      return { file, path, expected, found: `${prefix}${found}`, ...where };
    },
  };
}

/** The workload objects as YAML documents separated by `---`. */
export function printDocuments(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

/** Line/column of the deepest existing node on `path` (new keys point at their parent). */
function position(doc: Document, lines: LineCounter, path: string): { line?: number; column?: number } {
  const segments = path === '' ? [] : path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = nodeAt(doc.contents, segments.slice(0, depth));
    if (node?.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

function nodeAt(root: unknown, segments: readonly string[]): Node | undefined {
  let node: unknown = root;
  for (const [i, segment] of segments.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) return undefined;
      // The last segment points at its key, where a reader looks for it.
      node = i === segments.length - 1 && isScalar(pair.key) ? pair.key : pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
    } else {
      return undefined;
    }
  }
  return isNode(node) ? node : undefined;
}
