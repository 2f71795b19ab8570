/**
 * The guest-components component (dist/<env>/guest-components/): a privileged DaemonSet on the
 * nodes labelled by the infrastructure that installs attestation-agent, confidential-data-hub and
 * ctd-decoder as host services and adds the decryption settings to containerd 2.x as a drop-in
 * (seed 000 §5-6, DESIGN §4.4). Config in, constructs out.
 */
import { createHash } from 'node:crypto';
import type { Toleration } from 'cdk8s-plus-30/lib/imports/k8s';
import type { ComponentBuilder } from '../component-builder';
import type { EnvironmentConfig } from '../../config/schema';
import { resolveKbsUrl } from '../../config/rules/guest-components';
import { standardLabels } from '../../shared/labels';
import { GUEST_COMPONENTS_NODE_LABEL } from '../../shared/node-roles';
import { clusterNodes, nodeLabels } from '../../shared/cluster-nodes';
import { INSTALLER_FILE } from './host-layout';
import { nodeFiles } from './node-files';
import { installerScript } from './installer-script';
import { FilesConfigMap } from '../common/files-config-map';
import { InstallerDaemonSet } from './installer-daemon-set';

export const INSTALLER_APP = 'guest-components-installer';
export const NODE_CONFIG_MAP = 'guest-components-node-config';
export const INSTALLER_CONFIG_MAP = 'guest-components-installer';

type GuestComponentsConfig = EnvironmentConfig['guestComponents'];

/** `repository:tag`, `repository@digest` or both (the config rules require at least one). */
function imageRef(gc: GuestComponentsConfig): string {
  const image = gc.image;
  if (image === undefined) throw new Error('guestComponents.image is required (the config rules report it)');
  return `${image.repository}${image.tag !== undefined ? `:${image.tag}` : ''}${image.digest !== undefined ? `@${image.digest}` : ''}`;
}

/**
 * The configured tolerations, plus one for each taint of the nodes the installer must serve (the
 * nodes of the infrastructure model carrying its label), so a tainted worker still gets it.
 */
function tolerations(config: EnvironmentConfig): Toleration[] {
  const configured = config.guestComponents.tolerations.map((t) => ({
    ...(t.key !== undefined ? { key: t.key } : {}),
    operator: t.operator,
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.effect !== undefined ? { effect: t.effect } : {}),
  }));
  const served = clusterNodes(config).filter((n) => nodeLabels(n)[GUEST_COMPONENTS_NODE_LABEL.key] === GUEST_COMPONENTS_NODE_LABEL.value);
  const fromNodes = served.flatMap((n) => n.taints).map((t) => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect }));
  const seen = new Set<string>();
  return [...configured, ...fromNodes].filter((t) => {
    const id = JSON.stringify(t);
    return seen.has(id) ? false : (seen.add(id), true);
  });
}

export const buildGuestComponents: ComponentBuilder = ({ chart }, env) => {
  const { config } = env;
  const gc = config.guestComponents;
  const namespace = gc.namespace;
  const labels = standardLabels({ name: INSTALLER_APP, instance: env.name, component: 'guest-components' });
  const selector = { 'app.kubernetes.io/name': INSTALLER_APP, 'app.kubernetes.io/instance': env.name };
  const kbsUrl = gc.kbc === 'cc_kbc' ? resolveKbsUrl(config) : undefined;
  const kbsCa = gc.kbc === 'cc_kbc' && kbsUrl?.startsWith('https://') === true && gc.kbsCaSecret !== undefined ? { secretName: gc.kbsCaSecret.name, key: gc.kbsCaSecret.key } : undefined;
  const offlineResources = gc.kbc === 'offline_fs_kbc' && gc.offlineResourcesSecret !== undefined ? { secretName: gc.offlineResourcesSecret.name, key: gc.offlineResourcesSecret.key } : undefined;

  const files = nodeFiles({
    kbc: gc.kbc,
    kbsUrl,
    kbsCaSecret: kbsCa === undefined ? undefined : { name: kbsCa.secretName, key: kbsCa.key },
    keyProviderAddress: gc.keyProviderAddress,
    logLevel: gc.logLevel,
  });
  const script = { [INSTALLER_FILE]: installerScript() };
  new FilesConfigMap(chart, 'NodeConfig', { name: NODE_CONFIG_MAP, namespace, labels, files });
  new FilesConfigMap(chart, 'InstallerScript', { name: INSTALLER_CONFIG_MAP, namespace, labels, files: script });

  // What the installer reads besides the image: any change rolls the pods, which re-install.
  // (A rotated CA certificate in the same Secret needs `kubectl rollout restart`.)
  const configHash = createHash('sha256').update(JSON.stringify({ files, script, kbsCa, offlineResources })).digest('hex');
  new InstallerDaemonSet(chart, 'Installer', {
    name: INSTALLER_APP,
    namespace,
    labels,
    selector,
    image: imageRef(gc),
    nodeSelector: { [GUEST_COMPONENTS_NODE_LABEL.key]: GUEST_COMPONENTS_NODE_LABEL.value },
    tolerations: tolerations(config),
    nodeConfigMapName: NODE_CONFIG_MAP,
    installerConfigMapName: INSTALLER_CONFIG_MAP,
    configHash,
    kbsCa,
    offlineResources,
    keyProviderAddress: gc.keyProviderAddress,
    action: gc.action,
    updateStrategy: gc.updateStrategy,
    cpuRequest: gc.resources.requests.cpu,
    memoryRequest: gc.resources.requests.memory,
    memoryLimit: gc.resources.limits.memory,
    payloadManifestSha256: gc.payloadManifestSha256,
    backupsKept: gc.backupsKept,
  });
};
