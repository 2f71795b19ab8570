// The GitOps half of peer pods (azure-peer-pods): the cert-manager and peerpods Applications and
// their values against the shared model, one owner per RuntimeClass and kata-deploy, the order of
// the Applications, the KBS as pod VMs reach it, and the initdata pod VMs boot with.
import { gunzipSync } from 'node:zlib';
import { parse as parseToml } from 'smol-toml';
import { loadEnvironment, type LoadedEnvironment } from '../src/config/load';
import { buildManifests, type RenderedFolder } from '../src/k8s/bundle';
import type { K8sObject } from '../src/shared/k8s-object';
import { CAA_SERVICE_ACCOUNT, CERT_MANAGER_CHART, KBS_VNET_SERVICE_NAME, PEERPODS_CHART, peerPodsModel, type PeerPodsModel } from '../src/shared/peer-pods';
import { KBS_NODE_LABEL, KBS_NODE_TAINT } from '../src/shared/node-roles';
import { VERSIONS } from '../src/shared/versions';
import { COCO_CHART_REPO } from '../src/k8s/runtime/coco-chart-application';
import { CERT_MANAGER_PROJECT_NEEDS } from '../src/k8s/runtime/cert-manager-application';
import { PEERPODS_PROJECT_NEEDS, WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION } from '../src/k8s/runtime/peerpods-application';
import { peerPodsDefaultInitdataToml } from '../src/k8s/runtime/peer-pods-default-initdata';
import { decodeInitdata, initdataDigest, INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { initDataClaim, resourceBindings } from '../src/k8s/kbs/resource-binding';
import { imageSlots, pinImages } from '../src/images/image-slots';
import { validateSchemas } from '../src/render/schema-validator';
import { validateSemantics } from '../src/render/semantic-rules';
import { repoRoot } from './support/tools';

type Json = Record<string, unknown>;
const ENV = 'azure-peer-pods';
const CLIENT_ID = '11111111-2222-4333-8444-555555555555';

function load(change?: (c: LoadedEnvironment['config']) => void): LoadedEnvironment {
  const env = loadEnvironment(repoRoot(), ENV);
  if (!change) return env;
  const config = structuredClone(env.config);
  change(config);
  return { ...env, config };
}

const env = load();
const model = peerPodsModel(env.config, ENV) as PeerPodsModel;
const folders = buildManifests(env);
const all = folders.flatMap((f) => f.objects);
const folder = (name: string): readonly K8sObject[] => (folders.find((f) => f.folder === name) as RenderedFolder).objects;
const byName = (objects: readonly K8sObject[], kind: string, name: string): K8sObject & Json => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o as K8sObject & Json;
};
const app = (name: string) => byName(folder('argocd'), 'Application', `${ENV}-${name}`);
const source = (a: Json) => (a.spec as { source: { repoURL: string; path?: string; targetRevision: string; helm?: { releaseName: string; valuesObject: Json } } }).source;
const values = (a: Json) => source(a).helm?.valuesObject as Json & { providerConfigs: { azure: Record<string, string> } };
const wave = (o: K8sObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);

describe('azure-peer-pods: the peerpods Application', () => {
  const peerpods = app('peerpods');
  const v = values(peerpods);

  it('is the pinned OCI chart in the conventional shape, released into the runtime namespace', () => {
    expect(source(peerpods)).toMatchObject({ repoURL: PEERPODS_CHART, path: '.', targetRevision: VERSIONS.peerpodsChart, helm: { releaseName: 'peerpods' } });
    expect(VERSIONS.peerpodsChart).toBe('0.4.0');
    expect((peerpods.spec as Json).destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: env.config.runtime.namespace });
    expect(model.namespace).toBe(env.config.runtime.namespace);
    expect((peerpods.spec as { syncPolicy: { syncOptions: string[] } }).syncPolicy.syncOptions).toEqual(['CreateNamespace=false', 'ServerSideApply=true']);
  });

  it('Azure values equal the shared model (what Terraform creates)', () => {
    expect(v.provider).toBe('azure');
    expect(v.providerConfigs.azure).toEqual({
      AZURE_IMAGE_ID: env.config.infrastructure.peerPods?.podVm.imageId,
      AZURE_INSTANCE_SIZE: 'Standard_DC2as_v5',
      AZURE_INSTANCE_SIZES: 'Standard_DC2as_v5,Standard_DC4as_v5',
      AZURE_REGION: model.location,
      AZURE_RESOURCE_GROUP: model.resourceGroup,
      AZURE_SUBNET_ID: model.podVmSubnetId,
      AZURE_SUBSCRIPTION_ID: model.subscriptionId,
      DISABLECVM: 'false',
      INITDATA: expect.any(String),
      PEERPODS_LIMIT_PER_NODE: '10',
    });
    expect(model.podVmSubnetId).toMatch(/\/subnets\/pod-vms$/);
    expect(v.providerConfigs.azure.AZURE_INSTANCE_SIZES.split(',')).toEqual([...model.instanceSizes]);
    // Every value is a string: the chart writes them into peer-pods-cm as "{{ $value }}".
    expect(Object.values(v.providerConfigs.azure).every((x) => typeof x === 'string')).toBe(true);
  });

  it('workload identity, and no secret anywhere: no Secret object, no client secret, no secretRef', () => {
    expect(v.secrets).toEqual({ mode: 'reference', existingSecretName: '' });
    expect(v.daemonset).toEqual({ podLabels: { 'azure.workload.identity/use': 'true' }, serviceAccount: { annotations: {} } });
    expect(v.resourceCtrl).toMatchObject({ podLabels: { 'azure.workload.identity/use': 'true' }, serviceAccount: { annotations: {} } });
    expect(all.filter((o) => o.kind === 'Secret')).toEqual([]);
    const text = JSON.stringify(all);
    expect(text).not.toMatch(/CLIENT_SECRET|clientSecret|client-secret|providerSecrets/i);
    // The client ID, once known, goes on both ServiceAccounts (the webhook injects AZURE_CLIENT_ID from it).
    const withId = load((c) => c.infrastructure.peerPods && (c.infrastructure.peerPods.identityClientId = CLIENT_ID));
    const idValues = values(byName(buildManifests(withId).find((f) => f.folder === 'argocd')?.objects ?? [], 'Application', `${ENV}-peerpods`));
    const annotations = { annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: CLIENT_ID } };
    expect((idValues.daemonset as Json).serviceAccount).toEqual(annotations);
    expect((idValues.resourceCtrl as Json).serviceAccount).toEqual(annotations);
    expect(CAA_SERVICE_ACCOUNT).toBe('cloud-api-adaptor');
  });

  it('one owner each: kata-remote rendered once (runtime component), kata-deploy only by the CoCo chart', () => {
    const runtimeClasses = all.filter((o) => o.kind === 'RuntimeClass');
    expect(runtimeClasses.map((o) => o.metadata.name)).toEqual(['kata-remote']);
    expect(folder('runtime').filter((o) => o.kind === 'RuntimeClass')).toHaveLength(1);
    expect(v['kata-deploy']).toEqual({ enabled: false });
    const coco = values(app('coco-runtime'))['kata-as-coco-runtime'] as Json;
    expect(coco).toMatchObject({ runtimeClasses: { enabled: false }, shims: { disableAll: true, remote: { enabled: true } }, defaultShim: { amd64: 'remote' } });
  });

  it('the webhook: cert-manager, release namespace, failurePolicy Ignore', () => {
    expect(v.webhook).toMatchObject({ enabled: true, namespaceOverride: '', certManager: { enabled: true }, webhook: { failurePolicy: 'Ignore' } });
    expect(JSON.stringify(all)).not.toContain('peer-pods-webhook-system');
  });

  it('every image the chart renders is set explicitly, found by the image walker and pinned in the chart\'s spelling', () => {
    const slots = imageSlots([peerpods]).map((s) => [s.usedBy.split(' chart value ')[1], s.image]);
    expect(slots).toEqual([
      ['image', VERSIONS.cloudApiAdaptorImage],
      ['webhook.image', VERSIONS.peerPodsWebhookImage],
      ['resourceCtrl.image', VERSIONS.peerpodCtrlImage],
      ['resourceCtrl.authProxy.image', VERSIONS.kubeRbacProxyImage],
    ]);
    for (const image of [VERSIONS.cloudApiAdaptorImage, VERSIONS.peerPodsWebhookImage, VERSIONS.peerpodCtrlImage]) expect(image).toMatch(/:61b1aba91df646a663e60ab6b55c6a7dc93cd167$/);
    const digest = `sha256:${'a'.repeat(64)}`;
    const copy = structuredClone(peerpods) as K8sObject;
    pinImages([copy], new Map(slots.map(([, image]) => [image, digest])));
    const pinned = values(copy as Json);
    expect(pinned.image).toEqual({ name: 'quay.io/confidential-containers/cloud-api-adaptor', tag: `61b1aba91df646a663e60ab6b55c6a7dc93cd167@${digest}` });
    expect((pinned.webhook as Json).image).toEqual({ repository: 'quay.io/confidential-containers/peer-pods-webhook', tag: `61b1aba91df646a663e60ab6b55c6a7dc93cd167@${digest}`, pullPolicy: 'IfNotPresent' });
    expect(((pinned.resourceCtrl as Json).authProxy as Json).image).toBe(`${VERSIONS.kubeRbacProxyImage}@${digest}`);
    expect(imageSlots([copy]).map((s) => s.image)).toEqual(slots.map(([, image]) => `${image}@${digest}`));
  });
});

describe('azure-peer-pods: cert-manager', () => {
  const certManager = app('cert-manager');

  it('is the pinned OCI chart with CRDs kept, leader election in its own namespace, no aggregation into admin/edit/view, images set', () => {
    expect(source(certManager)).toMatchObject({ repoURL: CERT_MANAGER_CHART, path: '.', targetRevision: 'v1.21.2', helm: { releaseName: 'cert-manager' } });
    const v = values(certManager);
    expect(v.crds).toEqual({ enabled: true, keep: true });
    expect(v.global).toEqual({ leaderElection: { namespace: 'cert-manager' }, rbac: { aggregateClusterRoles: false } });
    expect((certManager.spec as Json).destination).toMatchObject({ namespace: 'cert-manager' });
    const slots = imageSlots([certManager]).map((s) => s.image);
    expect(slots).toEqual(['controller', 'webhook', 'cainjector', 'acmesolver', 'startupapicheck'].map((c) => `quay.io/jetstack/cert-manager-${c}:v1.21.2`));
    const copy = structuredClone(certManager) as K8sObject;
    pinImages([copy], new Map([[slots[0], `sha256:${'b'.repeat(64)}`]]));
    expect(values(copy as Json).image).toEqual({ repository: 'quay.io/jetstack/cert-manager-controller', tag: 'v1.21.2', digest: `sha256:${'b'.repeat(64)}`, pullPolicy: 'IfNotPresent' });
  });

  it('its namespace is rendered by the runtime component (Pod Security restricted), the runtime namespace is privileged', () => {
    const ns = byName(folder('runtime'), 'Namespace', 'cert-manager');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const runtimeNs = byName(folder('runtime'), 'Namespace', env.config.runtime.namespace);
    expect(runtimeNs.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });
});

describe('azure-peer-pods: Argo CD order and project', () => {
  it('sync waves: runtime < cert-manager < CoCo chart (kata-deploy) < peerpods < workloads', () => {
    const order = ['runtime', 'cert-manager', 'coco-runtime', 'peerpods', 'workloads'].map((n) => wave(app(n)));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
    expect(byName(folder('argocd'), 'Application', `${ENV}-kbs`).metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('10');
  });

  it('the project allows exactly the chart sources and the cluster kinds rendered or granted, no wildcard', () => {
    const project = folder('argocd').find((o) => o.kind === 'AppProject') as K8sObject & { spec: { sourceRepos: string[]; clusterResourceWhitelist: { group: string; kind: string }[]; destinations: { namespace: string }[] } };
    expect(project.spec.sourceRepos).toEqual([env.config.gitops.repoURL, COCO_CHART_REPO, PEERPODS_CHART, CERT_MANAGER_CHART]);
    const kinds = project.spec.clusterResourceWhitelist.map((k) => `${k.group}/${k.kind}`);
    expect(kinds).toEqual([
      '/Namespace',
      'admissionregistration.k8s.io/MutatingWebhookConfiguration',
      'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
      'apiextensions.k8s.io/CustomResourceDefinition',
      'node.k8s.io/RuntimeClass',
      'rbac.authorization.k8s.io/ClusterRole',
      'rbac.authorization.k8s.io/ClusterRoleBinding',
    ]);
    for (const need of [...CERT_MANAGER_PROJECT_NEEDS.clusterResourceWhitelist, ...PEERPODS_PROJECT_NEEDS.clusterResourceWhitelist]) expect(kinds).toContain(`${need.group}/${need.kind}`);
    expect(JSON.stringify(project.spec)).not.toContain('*');
    const namespaces = project.spec.destinations.map((d) => d.namespace);
    expect(namespaces).toEqual(expect.arrayContaining(['cert-manager', 'confidential-containers-system', 'coco-tenant']));
    expect(namespaces).not.toContain('kube-system');
  });
});

describe('azure-peer-pods: the KBS as pod VMs reach it', () => {
  const kbs = folder('kbs');

  it('an internal load balancer at kbsAddress in the KBS subnet, only for the pod-VM subnet, source IP kept', () => {
    const svc = byName(kbs, 'Service', KBS_VNET_SERVICE_NAME);
    expect(svc.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': model.names.kbsSubnet,
      'service.beta.kubernetes.io/azure-load-balancer-ipv4': '10.0.3.250',
    });
    expect(svc.spec).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      loadBalancerSourceRanges: [model.podVmSubnetCidr],
      ports: [{ name: 'https', port: 8080, targetPort: 'https', protocol: 'TCP' }],
      selector: (byName(kbs, 'Service', 'kbs').spec as Json).selector,
    });
    expect(model.podVmSubnetCidr).toBe('10.0.4.0/24');
  });

  it('the NetworkPolicy admits the pod-VM subnet on the KBS port', () => {
    const policy = byName(kbs, 'NetworkPolicy', 'kbs');
    const ingress = (policy.spec as { ingress: { from: Json[]; ports: Json[] }[] }).ingress;
    expect(ingress).toHaveLength(1);
    expect(ingress[0].from).toContainEqual({ ipBlock: { cidr: '10.0.4.0/24' } });
    expect(ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
  });

  it('the KBS runs on the confidential KBS pool', () => {
    const spec = ((byName(kbs, 'Deployment', 'kbs').spec as Json).template as { spec: Json }).spec;
    expect(spec.nodeSelector).toEqual({ [KBS_NODE_LABEL.key]: KBS_NODE_LABEL.value });
    expect(spec.tolerations).toEqual([{ key: KBS_NODE_TAINT.key, operator: 'Equal', value: KBS_NODE_TAINT.value, effect: KBS_NODE_TAINT.effect }]);
  });

  it('other environments render no kbs-vnet Service', () => {
    for (const name of ['azure-tdx', 'aks-cvm', 'coco-dev']) {
      const objects = buildManifests(loadEnvironment(repoRoot(), name)).flatMap((f) => f.objects);
      expect(objects.filter((o) => o.metadata.name === KBS_VNET_SERVICE_NAME)).toEqual([]);
    }
  });
});

describe('azure-peer-pods: initdata of pod VMs', () => {
  const CERT = env.config.runtime.kbsCertificate as string;
  type Initdata = { algorithm: string; version: string; data: Record<string, string> };
  const decode = (value: string): Initdata => parseToml(decodeInitdata(value) as string) as unknown as Initdata;
  const kbsOf = (doc: Initdata) => {
    const aa = parseToml(doc.data['aa.toml']) as { token_configs: { kbs: { url: string; cert: string } } };
    const cdh = parseToml(doc.data['cdh.toml']) as { kbc: { name: string; url: string; kbs_cert: string } };
    return { aa: aa.token_configs.kbs, cdh: cdh.kbc };
  };

  const pods = folders
    .filter((f) => f.folder.startsWith('workloads'))
    .flatMap((f) => f.objects)
    .filter((o) => o.kind === 'Pod' && (o.spec as Json).runtimeClassName === 'kata-remote');

  it('every demo pod reaches the KBS at https://10.0.3.250:8080 and trusts runtime.kbsCertificate', () => {
    const withInitdata = pods.filter((p) => p.metadata.annotations?.[INITDATA_ANNOTATION] !== undefined);
    // 02 delivers its policy by the legacy annotation (seed 001); the others carry initdata.
    expect(withInitdata.map((p) => p.metadata.name).sort()).toEqual(['coco-demo-03', 'coco-demo-04', 'coco-demo-05']);
    for (const pod of withInitdata) {
      const { aa, cdh } = kbsOf(decode(pod.metadata.annotations?.[INITDATA_ANNOTATION] as string));
      expect(aa.url).toBe('https://10.0.3.250:8080');
      expect(cdh).toMatchObject({ name: 'cc_kbc', url: 'https://10.0.3.250:8080' });
      expect(aa.cert.trim()).toBe(CERT.trim());
      expect(cdh.kbs_cert.trim()).toBe(CERT.trim());
    }
    expect(model.kbsUrl).toBe('https://10.0.3.250:8080');
  });

  it('INITDATA (pods without initdata) is base64 of gzipped TOML CAA parses: KBS URL, certificate, exec and streams denied', () => {
    const encoded = values(app('peerpods')).providerConfigs.azure.INITDATA;
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const toml = gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8');
    expect(toml).toBe(peerPodsDefaultInitdataToml(env));
    const doc = parseToml(toml) as unknown as Initdata;
    expect([doc.version, doc.algorithm]).toEqual([VERSIONS.initdata, 'sha256']);
    const { aa, cdh } = kbsOf(doc);
    expect([aa.url, cdh.url]).toEqual(['https://10.0.3.250:8080', 'https://10.0.3.250:8080']);
    expect(aa.cert.trim()).toBe(CERT.trim());
    expect(doc.data['policy.rego']).toMatch(/^default ExecProcessRequest := false/m);
    expect(doc.data['policy.rego']).toMatch(/^default SetPolicyRequest := false/m);
    // It knows no containers, but opens no streams either: no stdin, and no logs (runtime.allowContainerLogs is false).
    expect(doc.data['policy.rego']).toMatch(/^default WriteStreamRequest := false/m);
    expect(doc.data['policy.rego']).toMatch(/^default ReadStreamRequest := false/m);
    // Its digest is bound to no KBS resource: a pod relying on it is released nothing.
    const digest = initdataDigest(toml);
    const bound = resourceBindings(env).flatMap((b) => b.clients.map((c) => c.initdataDigest));
    expect(bound).not.toContain(digest);
  });

  it('demo pods are bound to their initdata on az-snp-vtpm, as vTPM PCR8 shows it', () => {
    const clients = resourceBindings(env).flatMap((b) => b.clients.map((c) => ({ path: b.path, ...c })));
    expect(clients.map((c) => [c.path, c.workload, c.tee])).toEqual([
      ['default/key/ssh-demo', 'Pod/coco-demo-05-encrypted-image/coco-demo-05', 'az-snp-vtpm'],
      ['default/secret/1', 'Pod/coco-demo-04-cdh-resource/coco-demo-04', 'az-snp-vtpm'],
    ]);
    for (const c of clients) {
      const hex = (c.initdataDigest as string).slice('sha256:'.length);
      // PCR8 = sha256(0^32 || digest): what the az-snp-vtpm verifier reports as init_data.
      expect(c.initData).toBe(initDataClaim(c.initdataDigest as string, 'az-snp-vtpm'));
      expect(c.initData).toMatch(/^[0-9a-f]{64}$/);
      expect(c.initData).not.toBe(hex);
    }
  });
});

describe('azure-peer-pods: the whole render through the validators', () => {
  it('schemas and semantic rules hold for every folder', () => {
    for (const f of folders) {
      expect({ folder: f.folder, problems: validateSchemas(f.objects) }).toEqual({ folder: f.folder, problems: [] });
    }
    // Argo CD's own namespace exists before the bundle (the operator installs Argo CD).
    expect(validateSemantics(all, { externalNamespaces: [env.config.gitops.argocdNamespace] })).toEqual([]);
  });
});
