/**
 * `requireDigests: true`: an environment renders only images pinned by digest. Checked on the
 * rendered objects (after the lock is applied), so every image counts, wherever it comes from:
 * the versions table, the environment file, or an upstream chart value.
 */
import type { InputProblem } from '../config/errors';
import { readEnvironmentSource, type LoadedEnvironment } from '../config/load';
import { locate } from '../config/yaml-source';
import type { K8sObject } from '../shared/k8s-object';
import { hasDigest } from '../shared/image-ref';
import { imageSlots } from './image-slots';
import { IMAGE_LOCK_FILE } from './lock-file';

const FIELD = '/requireDigests';

/** One problem per image without a digest when `env` requires digests; [] otherwise. */
export function requireDigestsProblems(root: string, env: LoadedEnvironment, objects: readonly K8sObject[]): InputProblem[] {
  if (!env.config.requireDigests) return [];
  const usersByImage = new Map<string, string[]>();
  for (const slot of imageSlots(objects)) {
    if (!hasDigest(slot.image)) usersByImage.set(slot.image, [...(usersByImage.get(slot.image) ?? []), slot.usedBy]);
  }
  if (usersByImage.size === 0) return [];
  // The file is parsed again only on failure, to point at the switch.
  const where = locate(readEnvironmentSource(root, env.file), FIELD);
  return [...usersByImage].map(([image, users]) => ({
    file: env.file,
    path: FIELD,
    expected: `every rendered image pinned by digest (run npm run pin-images to record it in ${IMAGE_LOCK_FILE}, or give the digest in this file)`,
    found: `${image} without a digest, used by ${users[0]}${users.length > 1 ? ` and ${users.length - 1} more` : ''}`,
    ...where,
  }));
}
