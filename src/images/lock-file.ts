/**
 * config/images.lock.yaml: the digest of each image the bundle renders, by the reference as
 * rendered (`repository:tag`). `npm run pin-images` writes it from the registries; `npm run synth`
 * only reads it, so rendering stays offline and deterministic. A missing file is an empty lock:
 * every image renders by tag and POSTURE.md says "not pinned by digest".
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError, describeValue, isFsError, type InputProblem } from '../config/errors';
import { escapePointer, locate, parseYaml, yamlData } from '../config/yaml-source';
import { DIGEST_PATTERN, parseImageRef, type ImageLock } from '../shared/image-ref';

/** Path of the lock, relative to the repository root. */
export const IMAGE_LOCK_FILE = 'config/images.lock.yaml';

const HEADER = [
  '# Digests of the images the bundle renders, by reference as rendered (repository:tag).',
  '# Written by `npm run pin-images`, which resolves each tag through its registry (OCI distribution',
  '# API); `npm run synth` only reads this file and renders repository:tag@sha256:... for each entry.',
  '# Refresh after changing an image or to pick up a rebuilt tag: npm run pin-images',
  '# Compare with the registries without writing: npm run pin-images -- --check',
  '# An image missing here renders by tag ("not pinned by digest" in POSTURE.md); requireDigests: true',
  '# in an environment file refuses to render it. Do not edit by hand.',
];

/** The lock's text: header, then one `"ref": "digest"` per line, sorted by reference. */
export function formatImageLock(lock: ImageLock): string {
  const refs = [...lock.keys()].sort();
  const body = refs.length === 0 ? ['{}'] : refs.map((ref) => `${JSON.stringify(ref)}: ${JSON.stringify(lock.get(ref))}`);
  return `${[...HEADER, ...body].join('\n')}\n`;
}

/** Parses lock text; every malformed entry is one problem with its line. */
export function parseImageLock(text: string, file = IMAGE_LOCK_FILE): ImageLock {
  const source = parseYaml(file, text);
  const data = yamlData(source);
  if (data === undefined || data === null) return new Map();
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new UserInputError([{ file, path: '', expected: 'a mapping of image references (repository:tag) to sha256 digests', found: describeValue(data), ...locate(source, '') }]);
  }
  const problems: InputProblem[] = [];
  const lock = new Map<string, string>();
  for (const [ref, digest] of Object.entries(data as Record<string, unknown>)) {
    const path = `/${escapePointer(ref)}`;
    const parsed = parseImageRef(ref);
    if (parsed?.tag === undefined || parsed.digest !== undefined) {
      problems.push({ file, path, expected: 'an image reference with a tag and no digest (repository:tag) as key', found: describeValue(ref), ...locate(source, path) });
    } else if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) {
      problems.push({ file, path, expected: 'a digest sha256:<64 lowercase hex digits>', found: describeValue(digest), ...locate(source, path) });
    } else {
      lock.set(ref, digest);
    }
  }
  if (problems.length > 0) throw new UserInputError(problems);
  return lock;
}

/** The lock of the repository at `root` (empty when the file does not exist). */
export function readImageLock(root: string): ImageLock {
  let text: string;
  try {
    text = readFileSync(join(root, IMAGE_LOCK_FILE), 'utf8');
  } catch (e) {
    if (isFsError(e) && e.code === 'ENOENT') return new Map();
    throw e;
  }
  return parseImageLock(text);
}

/** Replaces the lock at once (temporary file, then rename): a reader sees the old or the new file, never half of one. */
export function writeImageLock(root: string, lock: ImageLock): void {
  const target = join(root, IMAGE_LOCK_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, formatImageLock(lock));
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }
}
