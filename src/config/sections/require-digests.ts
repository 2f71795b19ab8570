/**
 * `requireDigests`: refuse to render an image that config/images.lock.yaml (or the environment
 * file itself) does not pin by digest. A tag can be moved to other bytes at any time; a digest
 * cannot, so with it on, what Argo CD deploys is exactly what was reviewed. Off by default because
 * the lock is filled online (`npm run pin-images`); production environments should turn it on once
 * the lock holds their images.
 */
import { Type } from '@sinclair/typebox';

export const RequireDigests = Type.Boolean({
  default: false,
  description:
    'Refuse to render any image without a digest (from config/images.lock.yaml, filled by `npm run pin-images`, or given in this file). Default false; set it in production once the lock holds every image (POSTURE.md lists each image as pinned or not).',
});
