/**
 * Multi-document YAML in and out for `confidentialize`. Input is read the way kubectl reads it
 * (YAML 1.1 types: `privileged: yes` is true). A document that is not changed is written back as
 * its exact source text (comments, quoting and order kept); a changed one is the parsed document
 * patched in place (document-sync.ts), so its comments survive too. Problems are located as
 * `file:line:col: /json/path: expected X, found Y` like the environment loader does.
 */
import { isMap, isNode, isScalar, isSeq, LineCounter, Parser, type Document, type Node } from 'yaml';
import { NO_FIELD, UserInputError, type InputProblem } from '../config/errors';
import { parseAllDocuments } from '../shared/yaml11';
import { parsePointer } from './paths';

/** One YAML document of the input. */
export interface SourceDocument {
  /** Its source text without the `---` marker, ending in a newline; comments before it included. */
  readonly text: string;
  readonly doc: Document;
  /** Its data as kubectl would read it; null for a document with comments only. */
  readonly value: unknown;
}

export interface ParsedDocuments {
  readonly file: string;
  /** Every document, empty ones included, in order. */
  readonly documents: readonly SourceDocument[];
  /** Turns a document index and JSON pointer into a problem with line and column. */
  readonly locate: (document: number, path: string, expected: string, found: string) => InputProblem;
}

/** Parses `text` (from `file`, used in messages); throws UserInputError on YAML errors or no objects. */
export function parseDocuments(file: string, text: string): ParsedDocuments {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, strict: true, prettyErrors: true });
  // parseAllDocuments returns an EmptyStream (no errors, no documents) for empty input.
  const list: Document[] = Array.isArray(docs) ? docs : [];
  const errors = list.flatMap((d) => d.errors);
  if (errors.length > 0) {
    throw new UserInputError(
      errors.map((e) => ({ file, path: NO_FIELD, expected: 'valid YAML', found: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''), line: e.linePos?.[0].line, column: e.linePos?.[0].col })),
    );
  }
  const texts = documentTexts(text);
  const documents = list.map((doc, i) => ({ text: texts[i], doc, value: doc.toJS({ maxAliasCount: 1000 }) as unknown }));
  if (documents.every((d) => d.value === null || d.value === undefined)) {
    throw new UserInputError([{ file, path: NO_FIELD, expected: 'at least one Kubernetes object', found: 'an empty input' }]);
  }
  const objectCount = documents.filter((d) => d.value !== null && d.value !== undefined).length;
  return {
    file,
    documents,
    locate: (document, path, expected, found) => {
      const source = documents[document];
      const where = source ? position(source.doc, lines, path) : {};
      const prefix = objectCount > 1 && document >= 0 ? `document ${document + 1}: ` : '';
      return { file, path, expected, found: `${prefix}${found}`, ...where };
    },
  };
}

/**
 * The source text of each document, from the parser's own token offsets: what comes before the
 * first document (a comment) belongs to it, `...` end markers are dropped, and so is the `---`.
 */
function documentTexts(text: string): string[] {
  const tokens = [...new Parser().parse(text)];
  const starts = tokens.flatMap((t, i) => (t.type === 'document' ? [i] : []));
  return starts.map((index, n) => {
    const from = n === 0 ? 0 : tokens[index].offset;
    const nextToken = tokens.slice(index + 1).find((t) => t.type === 'document' || t.type === 'doc-end' || t.type === 'directive');
    const body = text.slice(from, nextToken ? nextToken.offset : text.length);
    const unmarked = n === 0 ? body.replace(/^((?:[ \t]*(?:#[^\n]*)?\r?\n)*)---[ \t]*(?:\r?\n)?/, '$1') : body.replace(/^---[ \t]*(?:\r?\n)?/, '');
    return unmarked.endsWith('\n') || unmarked === '' ? unmarked : `${unmarked}\n`;
  });
}

/** Documents separated by `---`, each already ending in a newline. */
export function joinDocuments(texts: readonly string[]): string {
  return texts.join('---\n');
}

/** The YAML of a changed document (patched in place), without its `---` and `...` markers. */
export function printDocument(doc: Document): string {
  // No padding inside flow collections: `{app: web}` as helm and kubectl write it, not `{ app: web }`.
  const text = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  return text.replace(/^((?:[ \t]*(?:#[^\n]*)?\n)*)---[ \t]*\n/, '$1').replace(/\n\.\.\.\n$/, '\n');
}

/** Line/column of the deepest existing node on `path` (new keys point at their parent). */
function position(doc: Document, lines: LineCounter, path: string): { line?: number; column?: number } {
  const segments = parsePointer(path);
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
