/**
 * Writes a changed object back into the parsed YAML document it came from, touching only the nodes
 * whose value changed: comments, key order and the quoting of every untouched scalar stay as the
 * author wrote them. New values get the document's schema, which quotes strings a YAML 1.1 reader
 * would re-type (src/shared/yaml11.ts).
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Document } from 'yaml';
import { sameData } from './json';

const CREATE = { aliasDuplicateObjects: false } as const;

/** Patches `doc` (whose data is `before`) so that its data becomes `after`. */
export function syncDocument(doc: Document, before: unknown, after: unknown): void {
  // Anchors, aliases and merge keys make one node stand for several places: rewrite the whole document.
  let shared = false;
  visit(doc, {
    Alias: () => {
      shared = true;
      return visit.BREAK;
    },
  });
  doc.contents = shared ? doc.createNode(after, CREATE) : syncNode(doc, doc.contents, before, after);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key of a pair as toJS spells it (a `no:` key read as false is "false"). */
function keyOf(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  return key.value === null ? '' : String(key.value);
}

function syncNode(doc: Document, node: unknown, before: unknown, after: unknown): ReturnType<Document['createNode']> {
  type Created = ReturnType<Document['createNode']>;
  if (sameData(before, after) && node !== null && node !== undefined) return node as Created;
  if (isMap(node) && isRecord(before) && isRecord(after) && !isAlias(node)) {
    const keys = node.items.map((pair) => keyOf(pair.key));
    if (keys.every((k) => k !== undefined && k !== '<<')) {
      node.items = node.items.filter((_, i) => Object.hasOwn(after, keys[i] as string));
      for (const pair of node.items) {
        const key = keyOf(pair.key) as string;
        pair.value = syncNode(doc, pair.value, before[key], after[key]);
      }
      for (const key of Object.keys(after)) if (!keys.includes(key)) node.items.push(doc.createPair(key, after[key], CREATE));
      return node;
    }
  }
  if (isSeq(node) && Array.isArray(before) && Array.isArray(after)) {
    if (before.length === after.length) {
      node.items = node.items.map((item, i) => syncNode(doc, item, before[i], after[i]));
      return node;
    }
    // Items removed and none changed (the mounts of a removed volume): keep the nodes that stay.
    const kept = subsequence(before, after);
    if (kept) {
      node.items = kept.map((i) => node.items[i]);
      return node;
    }
  }
  return doc.createNode(after, CREATE);
}

/** Indexes of `before` whose items, in order, are exactly `after`; undefined when it is not such a subsequence. */
function subsequence(before: readonly unknown[], after: readonly unknown[]): number[] | undefined {
  const kept: number[] = [];
  let j = 0;
  for (let i = 0; i < before.length && j < after.length; i++) {
    if (sameData(before[i], after[j])) {
      kept.push(i);
      j++;
    }
  }
  return j === after.length ? kept : undefined;
}
