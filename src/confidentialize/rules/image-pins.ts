import { containerName, containersOf } from '../containers';
import type { PodRule } from './context';

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** The tag of an image reference, or undefined (a `:` in the registry host is a port, not a tag). */
function tagOf(image: string): string | undefined {
  const name = image.split('@')[0];
  const lastPart = name.slice(name.lastIndexOf('/') + 1);
  return lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : undefined;
}

/**
 * Images without a digest can change under the same manifest. Images are never changed here
 * (encrypting or re-pinning them is the owner's decision), so this only warns.
 */
export const imagePins: PodRule = {
  about: 'images not pinned by digest (warning)',
  apply(ctx) {
    for (const ref of containersOf(ctx.spec)) {
      const image = ref.container.image;
      if (typeof image !== 'string' || DIGEST.test(image)) continue;
      const tag = tagOf(image);
      const how = tag === undefined ? 'no tag, so latest' : tag === 'latest' ? 'tag latest' : `tag ${tag} without a digest`;
      ctx.warn(`${ctx.base}/spec/${ref.list}/${ref.index}/image`, `image ${image} of ${containerName(ref)} is not pinned by digest (${how}): the registry can serve other content under it`);
    }
  },
};
