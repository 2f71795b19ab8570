/**
 * The Trustee KBS component (dist/<env>/kbs/): config, policies, persistent state, Deployment,
 * Service at a fixed ClusterIP, NetworkPolicy, and the PostSync Job that provisions policies and
 * resources through the admin API. Config in, constructs out: everything comes from `env`.
 */
import { createHash } from 'node:crypto';
import type { ComponentBuilder } from '../component-builder';
import { standardLabels } from '../../shared/labels';
import { KBS_NODE_LABEL, KBS_NODE_TAINT } from '../../shared/node-roles';
import { kbsClusterUrl, kbsEndpoint, KBS_PORT, KBS_SERVICE_NAME } from '../../shared/kbs-endpoint';
import { VERSIONS } from '../../shared/versions';
import type { EnvironmentConfig } from '../../config/schema';
import { renderKbsConfigToml } from './kbs-config-toml';
import { referenceValueId, renderAttestationPolicy, renderResourcePolicy } from './kbs-policies';
import { resourceBindings } from './resource-binding';
import { PROVISION_SCRIPT, renderReferenceValues, renderResourceList } from './provision-script';
import {
  ATTESTATION_POLICY_KEY,
  CONFIG_KEY,
  KBS_APP,
  KBS_MOUNTS,
  KBS_NAMES,
  PROVISION_APP,
  PROVISION_REFERENCE_VALUES_KEY,
  PROVISION_RESOURCES_KEY,
  PROVISION_SCRIPT_KEY,
  RESOURCE_POLICY_KEY,
  SECRET_KEYS,
} from './layout';
import { FilesConfigMap } from '../common/files-config-map';
import { KbsServiceAccount } from './kbs-service-account';
import { KbsStateClaim } from './kbs-state-claim';
import { KbsLocalVolume } from './kbs-local-volume';
import { KBS_NODE_NAME } from '../../shared/cluster-nodes';
import { KbsDeployment, type KbsPlacement } from './kbs-deployment';
import { KbsService } from './kbs-service';
import { KbsVnetService } from './kbs-vnet-service';
import { KBS_VNET_SERVICE_NAME, peerPodsModel, type PeerPodsModel } from '../../shared/peer-pods';
import { KbsNetworkPolicy } from './kbs-network-policy';
import { KbsDisruptionBudget } from './kbs-disruption-budget';
import { KbsProvisionJob } from './kbs-provision-job';

/** Admin endpoints of the resource role: uploads, nothing else. */
export const RESOURCE_ROLE_ENDPOINTS = '^/kbs/v0/resource/[^/]+/[^/]+/[^/]+$';
/** Admin endpoints of the policy role: the two policies and the reference values, no resource bytes. */
export const POLICY_ROLE_ENDPOINTS = '^/kbs/v0/(resource-policy|attestation-policy|reference-value)$';

/**
 * On a dedicated KBS node, tolerating the taint that keeps others off: the KBS VM of azure-tdx,
 * or the confidential KBS node pool of aks-peer-pods (both labelled and tainted by Terraform).
 */
function placement(config: EnvironmentConfig): KbsPlacement | undefined {
  const { infrastructure } = config;
  const dedicated =
    (infrastructure.provider === 'azure-tdx' && infrastructure.tdx?.kbsNode.enabled === true) ||
    (infrastructure.provider === 'aks-peer-pods' && infrastructure.peerPods !== undefined);
  if (!dedicated) return undefined;
  return {
    nodeSelector: { [KBS_NODE_LABEL.key]: KBS_NODE_LABEL.value },
    tolerations: [{ key: KBS_NODE_TAINT.key, operator: 'Equal', value: KBS_NODE_TAINT.value, effect: KBS_NODE_TAINT.effect }],
  };
}

/** Who may reach KBS besides the provisioning Job (pod VMs come through the kbs-vnet load balancer with their own address). */
function sourceCidrs(config: EnvironmentConfig, peerPods: PeerPodsModel | undefined): string[] {
  const worker = config.kbs.access.workerNodes ? [config.infrastructure.network.subnets.worker] : [];
  const podVms = peerPods ? [peerPods.podVmSubnetCidr] : [];
  return [...new Set([...worker, ...podVms, ...config.kbs.access.cidrs])];
}

export const buildKbs: ComponentBuilder = ({ chart }, env) => {
  const { config } = env;
  const kbs = config.kbs;
  const namespace = kbs.namespace;
  const labels = standardLabels({ name: KBS_APP, instance: env.name, component: 'kbs' });
  const selector = { 'app.kubernetes.io/name': KBS_APP, 'app.kubernetes.io/instance': env.name };
  const provisionLabels = standardLabels({ name: PROVISION_APP, instance: env.name, component: 'kbs' });
  const endpoint = kbsEndpoint(config);
  const portName = endpoint.insecureHttp ? 'http' : 'https';

  const toml = renderKbsConfigToml({
    port: KBS_PORT,
    tls: kbs.tlsSecretName === undefined ? undefined : { certificatePath: `${KBS_MOUNTS.tls}/${SECRET_KEYS.tlsCert}`, privateKeyPath: `${KBS_MOUNTS.tls}/${SECRET_KEYS.tlsKey}` },
    admin: {
      publicKeyPath: `${KBS_MOUNTS.adminKey}/${SECRET_KEYS.adminPublicKey}`,
      issuer: kbs.admin.issuer,
      audience: kbs.admin.audience,
      roles: [
        { role: kbs.admin.resourceRole, allowedEndpoints: RESOURCE_ROLE_ENDPOINTS },
        { role: kbs.admin.policyRole, allowedEndpoints: POLICY_ROLE_ENDPOINTS },
      ],
    },
    tokenSigner:
      kbs.tokenSignerSecretName === undefined
        ? undefined
        : { keyPath: `${KBS_MOUNTS.signer}/${SECRET_KEYS.signerKey}`, certChainPath: `${KBS_MOUNTS.signer}/${SECRET_KEYS.signerChain}`, caPath: `${KBS_MOUNTS.signer}/${SECRET_KEYS.signerCa}` },
    storageDir: KBS_MOUNTS.state,
    source: env.file,
  });
  new FilesConfigMap(chart, 'Config', { name: KBS_NAMES.configMap, namespace, labels, files: { [CONFIG_KEY]: toml } });

  const origin = `${env.file} (kbs)`;
  new FilesConfigMap(chart, 'Policies', {
    name: KBS_NAMES.policies,
    namespace,
    labels,
    files: {
      [RESOURCE_POLICY_KEY]: renderResourcePolicy(
        {
          allowAll: kbs.resourcePolicy.allowAll,
          // Unmeasured only where the config rules let it be: acknowledged by name, or dev.
          requireMeasurements: kbs.attestation.measurements.length > 0,
          bindings: resourceBindings(env),
          tees: kbs.attestation.tees,
        },
        origin,
      ),
      [ATTESTATION_POLICY_KEY]: renderAttestationPolicy(
        {
          referenceValues: kbs.attestation.measurements.map((m) => ({ id: referenceValueId(m), tee: m.tee, claim: m.claim })),
          tcbStatuses: kbs.attestation.tcbStatuses,
          tees: kbs.attestation.tees,
        },
        origin,
      ),
    },
  });

  new KbsServiceAccount(chart, 'ServiceAccount', { name: KBS_NAMES.serviceAccount, namespace, labels });
  const localPath = kbs.storage.localPath;
  const localClass = `${env.name}-kbs-local`;
  if (localPath !== undefined) {
    new KbsLocalVolume(chart, 'LocalVolume', {
      storageClassName: localClass,
      volumeName: `${env.name}-kbs-state`,
      labels,
      nodeName: KBS_NODE_NAME,
      path: localPath,
      size: kbs.storage.size,
      claim: { name: KBS_NAMES.stateClaim, namespace },
    });
  }
  new KbsStateClaim(chart, 'State', {
    name: KBS_NAMES.stateClaim,
    namespace,
    labels,
    storageClassName: localPath !== undefined ? localClass : kbs.storage.storageClassName,
    size: kbs.storage.size,
    accessMode: kbs.storage.accessMode,
  });
  new KbsDeployment(chart, 'Deployment', {
    name: KBS_NAMES.deployment,
    namespace,
    labels,
    selector,
    image: VERSIONS.kbsImage,
    replicas: kbs.replicas,
    configHash: createHash('sha256').update(toml).digest('hex'),
    configMapName: KBS_NAMES.configMap,
    serviceAccountName: KBS_NAMES.serviceAccount,
    stateClaimName: KBS_NAMES.stateClaim,
    recreate: kbs.storage.accessMode === 'ReadWriteOnce',
    port: KBS_PORT,
    portName,
    adminKeySecretName: kbs.admin.publicKeySecretName,
    tlsSecretName: kbs.tlsSecretName,
    tokenSignerSecretName: kbs.tokenSignerSecretName,
    cpuRequest: kbs.compute.cpuRequest,
    memoryRequest: kbs.compute.memoryRequest,
    memoryLimit: kbs.compute.memoryLimit,
    placement: placement(config),
    insecureHttpReason: kbs.tlsSecretName !== undefined ? undefined : (kbs.insecureHttpReason ?? 'DEV ONLY: devSwitches.allowInsecureHttpKbs'),
  });
  new KbsService(chart, 'Service', { name: KBS_SERVICE_NAME, namespace, labels, selector, clusterIP: kbs.serviceClusterIP, port: KBS_PORT, portName });
  const peerPods = peerPodsModel(config, env.name);
  if (peerPods) {
    new KbsVnetService(chart, 'VnetService', {
      name: KBS_VNET_SERVICE_NAME,
      namespace,
      labels,
      selector,
      subnetName: peerPods.names.kbsSubnet,
      address: peerPods.config.kbsAddress,
      sourceRanges: [peerPods.podVmSubnetCidr],
      port: KBS_PORT,
      portName,
    });
  }
  new KbsNetworkPolicy(chart, 'NetworkPolicy', {
    name: KBS_NAMES.networkPolicy,
    namespace,
    labels,
    selector,
    port: KBS_PORT,
    provisioner: { 'app.kubernetes.io/name': PROVISION_APP, 'app.kubernetes.io/instance': env.name },
    namespaces: kbs.access.namespaces,
    cidrs: sourceCidrs(config, peerPods),
  });
  if (kbs.replicas > 1) new KbsDisruptionBudget(chart, 'DisruptionBudget', { name: KBS_NAMES.disruptionBudget, namespace, labels, selector });

  new KbsServiceAccount(chart, 'ProvisionServiceAccount', { name: KBS_NAMES.provisionServiceAccount, namespace, labels: provisionLabels });
  new FilesConfigMap(chart, 'ProvisionScript', {
    name: KBS_NAMES.provisionConfigMap,
    namespace,
    labels: provisionLabels,
    files: {
      [PROVISION_SCRIPT_KEY]: PROVISION_SCRIPT,
      [PROVISION_RESOURCES_KEY]: renderResourceList(kbs.resources),
      [PROVISION_REFERENCE_VALUES_KEY]: renderReferenceValues(kbs.attestation.measurements.map((m) => ({ id: referenceValueId(m), values: m.values }))),
    },
  });
  new KbsProvisionJob(chart, 'Provision', {
    name: KBS_NAMES.provisionJob,
    namespace,
    labels: provisionLabels,
    image: VERSIONS.curlImage,
    serviceAccountName: KBS_NAMES.provisionServiceAccount,
    scriptConfigMapName: KBS_NAMES.provisionConfigMap,
    policiesConfigMapName: KBS_NAMES.policies,
    kbsUrl: kbsClusterUrl(endpoint),
    policyTokenSecretName: kbs.admin.policyTokenSecretName,
    resourceTokenSecretName: kbs.admin.resourceTokenSecretName,
    maxTokenHours: kbs.admin.maxTokenHours,
    tlsSecretName: kbs.tlsSecretName,
    resourceSecretNames: kbs.resources.map((r) => r.secretName),
  });
};
