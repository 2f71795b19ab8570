/**
 * What `npm run pin-images` does, without the command line: collect the images every environment
 * renders (by tag, before any pinning), resolve each through its registry, and compare the result
 * with the lock. Nothing here writes; the CLI writes the lock only when every image resolved.
 */
import type { LoadedEnvironment } from '../config/load';
import { escapePointer } from '../config/yaml-source';
import { NO_FIELD, type InputProblem } from '../config/errors';
import { buildManifests } from '../k8s/bundle';
import { parseImageRef, type ImageLock } from '../shared/image-ref';
import { imageSlots } from './image-slots';
import { IMAGE_LOCK_FILE } from './lock-file';
import { RegistryError, resolveDigest, type ResolveOptions } from './registry-client';

/**
 * Every `repository:tag` the environments render, sorted, with the problem of any image that
 * cannot be locked (no tag). Images the configuration already pins by digest need no entry.
 */
export function imagesToPin(environments: readonly LoadedEnvironment[]): { refs: string[]; problems: InputProblem[] } {
  const refs = new Set<string>();
  const problems: InputProblem[] = [];
  for (const env of environments) {
    for (const slot of imageSlots(buildManifests(env).flatMap((f) => f.objects))) {
      const parsed = parseImageRef(slot.image);
      if (parsed?.digest !== undefined) continue;
      if (parsed?.tag === undefined) {
        problems.push({ file: env.file, path: NO_FIELD, expected: `a tag or digest on every image (${slot.owner} ${slot.path})`, found: JSON.stringify(slot.image) });
        continue;
      }
      refs.add(slot.image);
    }
  }
  return { refs: [...refs].sort(), problems };
}

/** A registry lookup (resolveDigest, or a stand-in in tests). */
export type Resolver = (ref: string, options: ResolveOptions) => Promise<string>;

/**
 * Resolves every reference, a few at a time (registries rate-limit). Returns the complete lock, or
 * the problems (one per reference that failed, in reference order) and no lock.
 */
export async function resolveImages(refs: readonly string[], options: ResolveOptions, resolve: Resolver = resolveDigest, concurrency = 4): Promise<{ lock?: ImageLock; problems: InputProblem[] }> {
  const results = new Map<string, string | RegistryError>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const ref = refs[next++];
      try {
        results.set(ref, await resolve(ref, options));
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        results.set(ref, e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, worker));
  const problems = refs.flatMap((ref): InputProblem[] => {
    const r = results.get(ref);
    return r instanceof RegistryError ? [{ file: IMAGE_LOCK_FILE, path: `/${escapePointer(ref)}`, expected: `${r.expected} (to resolve ${ref})`, found: r.found }] : [];
  });
  if (problems.length > 0) return { problems };
  return { lock: new Map(refs.map((ref) => [ref, results.get(ref) as string])), problems };
}

export interface LockChange {
  readonly ref: string;
  /** added: no entry yet; changed: the tag now names another digest; removed: no environment renders it any more. */
  readonly kind: 'added' | 'changed' | 'removed';
  /** @default none (added) */
  readonly from?: string;
  /** @default none (removed) */
  readonly to?: string;
}

/** What replacing `current` by `next` changes, sorted by reference. */
export function lockChanges(current: ImageLock, next: ImageLock): LockChange[] {
  const refs = [...new Set([...current.keys(), ...next.keys()])].sort();
  return refs.flatMap((ref): LockChange[] => {
    const from = current.get(ref);
    const to = next.get(ref);
    if (from === to) return [];
    if (from === undefined) return [{ ref, kind: 'added', to }];
    if (to === undefined) return [{ ref, kind: 'removed', from }];
    return [{ ref, kind: 'changed', from, to }];
  });
}

/** What `--check` calls each kind of change: the lock is behind the registries. */
const CHECK_WORDS: Record<LockChange['kind'], string> = { added: 'missing', changed: 'stale', removed: 'unused' };

/** One line per change: `added: <ref> sha256:...` when written, `missing: ...` when checked. */
export function describeChange(c: LockChange, mode: 'write' | 'check'): string {
  const word = mode === 'check' ? CHECK_WORDS[c.kind] : c.kind;
  if (c.kind === 'added') return `${word}: ${c.ref} (registry: ${c.to})`;
  if (c.kind === 'removed') return `${word}: ${c.ref} (no environment renders it; lock: ${c.from})`;
  return `${word}: ${c.ref} (lock: ${c.from}, registry: ${c.to})`;
}
