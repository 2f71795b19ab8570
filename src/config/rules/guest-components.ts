/** Rules for `guestComponents`: image, key broker client, KBS URL and trust anchor, tolerations. */
import type { EnvironmentConfig } from '../schema';
import { kbsEndpoint, kbsNodeUrl } from '../../shared/kbs-endpoint';
import type { Report } from './report';

type GuestComponentsConfig = EnvironmentConfig['guestComponents'];

/**
 * The KBS URL the host services use: the configured one, else the in-cluster KBS by its fixed
 * ClusterIP (the host has no cluster DNS). Undefined when neither exists.
 */
export function resolveKbsUrl(env: EnvironmentConfig): string | undefined {
  const gc = env.guestComponents;
  if (gc.kbsUrl !== undefined) return gc.kbsUrl.replace(/\/$/, '');
  if (!env.kbs.enabled) return undefined;
  // HTTPS exactly when the KBS has a TLS Secret (rules/kbs.ts governs plain HTTP).
  return kbsNodeUrl(kbsEndpoint(env));
}

export function checkGuestComponents(env: EnvironmentConfig, report: Report): void {
  const gc = env.guestComponents;
  if (!gc.enabled) return;
  checkImage(gc, report);
  if (gc.kbc === 'offline_fs_kbc') checkOffline(env, report);
  else checkCcKbc(env, report);
  gc.tolerations.forEach((t, i) => {
    const path = `/guestComponents/tolerations/${i}`;
    // The API server rejects both combinations (core/v1 validation of tolerations).
    if (t.operator === 'Exists' && t.value !== undefined) report(`${path}/value`, 'no value (operator Exists matches any value)', t.value);
    if (t.operator === 'Equal' && t.key === undefined) report(`${path}/key`, 'a taint key (operator Equal needs one; use operator Exists to tolerate every taint)', undefined);
  });
}

function checkImage(gc: GuestComponentsConfig, report: Report): void {
  const image = gc.image;
  if (image === undefined) {
    report('/guestComponents/image', 'an image with repository and tag or digest (required when guestComponents is enabled; see the image contract in docs/guest-components.md)', undefined);
    return;
  }
  if (image.tag === undefined && image.digest === undefined) report('/guestComponents/image', 'a tag or a digest (the image must be pinned)', image);
  if (image.tag === 'latest') report('/guestComponents/image/tag', 'a pinned tag (not "latest": a moving tag changes what runs on the nodes without a commit)', image.tag);
}

function checkOffline(env: EnvironmentConfig, report: Report): void {
  const gc = env.guestComponents;
  if (!env.devSwitches.allowOfflineFsKbc) {
    report('/guestComponents/kbc', 'cc_kbc (offline_fs_kbc keeps image keys in a plain node file: it needs devSwitches.allowOfflineFsKbc in a dev profile)', gc.kbc);
  }
  if (gc.kbsUrl !== undefined) report('/guestComponents/kbsUrl', 'no KBS URL (offline_fs_kbc talks to no KBS)', gc.kbsUrl);
  if (gc.kbsCaSecret !== undefined) report('/guestComponents/kbsCaSecret', 'no CA Secret (offline_fs_kbc talks to no KBS)', gc.kbsCaSecret);
}

function checkCcKbc(env: EnvironmentConfig, report: Report): void {
  const gc = env.guestComponents;
  if (gc.offlineResourcesSecret !== undefined) report('/guestComponents/offlineResourcesSecret', 'nothing (only used with kbc offline_fs_kbc)', gc.offlineResourcesSecret);
  const url = resolveKbsUrl(env);
  if (url === undefined) {
    report('/guestComponents/kbsUrl', 'a KBS URL (required with cc_kbc when the in-cluster kbs component is disabled)', undefined);
    return;
  }
  if (url.startsWith('http://')) {
    // A derived http URL follows the in-cluster KBS, whose plain HTTP rules/kbs.ts already gated.
    if (gc.kbsUrl !== undefined && !env.devSwitches.allowInsecureHttpKbs) {
      report('/guestComponents/kbsUrl', 'an https:// URL (plain HTTP needs devSwitches.allowInsecureHttpKbs in a dev profile)', gc.kbsUrl);
    }
    if (gc.kbsCaSecret !== undefined) report('/guestComponents/kbsCaSecret', `nothing (the KBS URL ${url} is plain HTTP)`, gc.kbsCaSecret);
  } else if (gc.kbsCaSecret === undefined) {
    // The host services pin the CA they trust; the in-cluster KBS is reached by IP, so a public CA is not an option anyway.
    report('/guestComponents/kbsCaSecret', `a Secret reference with the CA certificate of the KBS at ${url} (required for https)`, undefined);
  }
}
