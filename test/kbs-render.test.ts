// The KBS component as rendered for the shipped environments: the config TOML parsed and checked
// against the v0.21.0 format, every path in it backed by a mount, persistent state by construction,
// the Kubernetes shape, and the whole render through the bundle validators and the CLI.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateSchemas } from '../src/render/schema-validator';
import { validateSemantics } from '../src/render/semantic-rules';
import { KBS_CONFIG_FORMAT, renderKbsConfigToml } from '../src/k8s/kbs/kbs-config-toml';
import { kbsClusterUrl, kbsEndpoint, kbsNodeUrl } from '../src/shared/kbs-endpoint';
import { KBS_NODE_LABEL, KBS_NODE_TAINT } from '../src/shared/node-roles';
import { VERSIONS } from '../src/shared/versions';
import { scanForSecrets } from '../src/render/secret-scan';
import { makeTempRepo, runSynth } from './support/repo';
import { at, configMapData, find, kbsObjects, kbsToml, loadEnv, podSpec, resolveFile, tomlStrings, type Json } from './kbs-support';

const ENVS = ['azure-peer-pods', 'azure-tdx', 'coco-dev'] as const;

/** Top-level tables and keys of KbsConfig and its sections at v0.21.0 (kbs/src/config.rs, admin/mod.rs, ...). */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['attestation_token', 'attestation_service', 'http_server', 'admin', 'storage_backend', 'session_storage_type', 'plugins'],
  http_server: ['sockets', 'insecure_http', 'payload_request_size', 'worker_count', 'private_key', 'certificate', 'tls_profile', 'tls_min_version', 'tls_max_version', 'tls_ciphers', 'tls_groups'],
  admin: ['authorization_mode', 'authentication', 'authorization'],
  attestation_token: ['trusted_jwk_sets', 'trusted_certs_paths', 'extra_teekey_paths', 'insecure_header_jwk'],
  attestation_service: ['type', 'timeout', 'rvps_config', 'attestation_token_broker', 'verifier_config', 'storage_type'],
  'attestation_service.attestation_token_broker': ['duration_min', 'issuer_name', 'developer_name', 'build_name', 'profile_name', 'signer'],
  'attestation_service.attestation_token_broker.signer': ['key_path', 'cert_url', 'cert_path'],
  storage_backend: ['storage_type', 'backends'],
};

function keysAt(doc: Json, path: string): string[] {
  const node = path === '' ? doc : (at(doc, ...path.split('.')) as Json | undefined);
  return node ? Object.keys(node) : [];
}

describe.each(ENVS)('%s: kbs-config.toml (Trustee v0.21.0 format)', (name) => {
  const env = loadEnv(name);
  const objects = kbsObjects(env);
  const toml = kbsToml(objects);
  const deployment = find(objects, 'Deployment', 'kbs');
  const spec = podSpec(deployment);
  const container = spec.containers[0];

  it('uses only keys the pinned release knows', () => {
    for (const [path, known] of Object.entries(KNOWN_KEYS)) {
      for (const key of keysAt(toml, path)) expect({ path, key, known: known.includes(key) }).toEqual({ path, key, known: true });
    }
  });

  it('listens on all addresses on 8080, TLS exactly when a certificate Secret is configured', () => {
    expect(at(toml, 'http_server', 'sockets')).toEqual(['0.0.0.0:8080']);
    const https = env.config.kbs.tlsSecretName !== undefined;
    expect(at(toml, 'http_server', 'insecure_http')).toBe(!https);
    expect(at(toml, 'http_server', 'certificate') !== undefined).toBe(https);
    expect(kbsEndpoint(env.config).insecureHttp).toBe(!https);
    expect(name === 'coco-dev' ? !https : https).toBe(true);
    // Plain HTTP is never silent: the Deployment says why.
    expect(deployment.metadata.annotations?.['coco.azure/insecure-http-reason']).toBe(https ? undefined : 'DEV ONLY: devSwitches.allowInsecureHttpKbs');
  });

  it('always renders [admin]: bearer JWTs checked against the admin key, one role for resources and one for policies', () => {
    expect(at(toml, 'admin', 'authorization_mode')).toBe('AuthenticatedAuthorization');
    expect(at(toml, 'admin', 'authentication', 'bearer_jwt', 'identity_providers')).toEqual([
      { public_key_uri: '/etc/kbs/admin/public.pub', issuer: env.config.kbs.admin.issuer, audience: env.config.kbs.admin.audience },
    ]);
    const acls = at(toml, 'admin', 'authorization', 'regex_acl', 'acls') as Json[];
    expect(acls.map((a) => a.role)).toEqual([env.config.kbs.admin.resourceRole, env.config.kbs.admin.policyRole]);
    // KBS refuses unanchored patterns (admin/authorization/regex_acl.rs).
    for (const a of acls) expect(a.allowed_endpoints).toMatch(/^\^\/kbs.*\$$/);
    const [resources, policies] = acls.map((a) => new RegExp(a.allowed_endpoints as string));
    const calls = ['/kbs/v0/resource/default/image_key/nginx', '/kbs/v0/resource-policy', '/kbs/v0/attestation-policy', '/kbs/v0/reference-value'];
    expect(calls.filter((p) => resources.test(p))).toEqual(['/kbs/v0/resource/default/image_key/nginx']);
    expect(calls.filter((p) => policies.test(p))).toEqual(['/kbs/v0/resource-policy', '/kbs/v0/attestation-policy', '/kbs/v0/reference-value']);
    const never = ['/kbs/v0/resource/a/b', '/kbs/v0/resource/a/b/c/d', '/kbs/v0/resource-policyx', '/kbs/v0/auth', '/kbs/v0/reference-value/x'];
    expect(never.filter((p) => resources.test(p) || policies.test(p))).toEqual([]);
  });

  it('keeps state in LocalFs on the persistent volume, the base folder without /repository', () => {
    expect(at(toml, 'storage_backend', 'storage_type')).toBe('LocalFs');
    const dir = at(toml, 'storage_backend', 'backends', 'local_fs', 'dir_path') as string;
    expect(dir).not.toMatch(/repository\/?$/);
    const stateMount = (container.volumeMounts as Json[]).find((m) => m.mountPath === dir);
    expect(stateMount).toBeDefined();
    const volume = spec.volumes.find((v) => v.name === stateMount?.name);
    expect(at(volume, 'persistentVolumeClaim', 'claimName')).toBe('kbs-state');
    expect(find(objects, 'PersistentVolumeClaim', 'kbs-state')).toBeDefined();
    expect(at(toml, 'plugins')).toEqual([{ name: 'resource', storage_backend_type: 'kvstorage' }]);
  });

  it('uses the built-in attestation service; tokens endorsed by the signer chain, or (dev only) by their own header', () => {
    expect(at(toml, 'attestation_service', 'type')).toBe('coco_as_builtin');
    expect(at(toml, 'attestation_service', 'rvps_config', 'type')).toBe('BuiltIn');
    const signer = env.config.kbs.tokenSignerSecretName;
    expect(at(toml, 'attestation_token', 'insecure_header_jwk')).toBe(signer === undefined);
    if (signer) {
      expect(at(toml, 'attestation_token', 'trusted_certs_paths')).toEqual(['/etc/kbs/token-signer/ca.crt']);
      expect(at(toml, 'attestation_service', 'attestation_token_broker', 'signer')).toEqual({
        key_path: '/etc/kbs/token-signer/token.key',
        cert_path: '/etc/kbs/token-signer/token-cert-chain.pem',
      });
    }
    expect(name === 'coco-dev' ? signer === undefined : signer !== undefined).toBe(true);
  });

  it('names only files that a mount provides, from the configured Secrets and ConfigMap keys', () => {
    const files = tomlStrings(toml).filter(([, v]) => v.startsWith('/') && !v.startsWith('/kbs/') && v !== at(toml, 'storage_backend', 'backends', 'local_fs', 'dir_path'));
    expect(files.length).toBeGreaterThanOrEqual(name === 'azure-tdx' ? 6 : 1);
    const secretOf: Record<string, string | undefined> = {
      '/etc/kbs/admin/': env.config.kbs.admin.publicKeySecretName,
      '/etc/kbs/tls/': env.config.kbs.tlsSecretName,
      '/etc/kbs/token-signer/': env.config.kbs.tokenSignerSecretName,
    };
    for (const [key, path] of files) {
      const file = resolveFile(spec, container, path);
      expect({ key, path, mounted: file !== undefined }).toEqual({ key, path, mounted: true });
      const expectedSecret = Object.entries(secretOf).find(([prefix]) => path.startsWith(prefix))?.[1];
      expect(at(file?.volume, 'secret', 'secretName')).toBe(expectedSecret);
      expect(file?.readOnly).toBe(true);
    }
    // And the config itself is the ConfigMap key the container is told to read.
    const command = container.command as string[];
    const config = resolveFile(spec, container, command[command.indexOf('--config-file') + 1]);
    expect(at(config?.volume, 'configMap', 'name')).toBe('kbs-config');
    expect(config?.key).toBe('kbs-config.toml');
  });
});

describe.each(ENVS)('%s: Kubernetes objects', (name) => {
  const env = loadEnv(name);
  const kbs = env.config.kbs;
  const objects = kbsObjects(env);
  const deployment = find(objects, 'Deployment', 'kbs');
  const spec = podSpec(deployment);
  const container = spec.containers[0];

  it('renders the expected set of objects, all in the KBS namespace but the local volume, no Secret', () => {
    // azure-tdx: the claim's local volume on kbs-server and its class (cluster-scoped).
    const local = kbs.storage.localPath !== undefined ? [`PersistentVolume/${name}-kbs-state`, `StorageClass/${name}-kbs-local`] : [];
    // azure-peer-pods: the internal load balancer pod VMs reach the KBS through.
    const vnet = env.config.infrastructure.provider === 'aks-peer-pods' ? ['Service/kbs-vnet'] : [];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      ['ConfigMap/kbs-config', 'ConfigMap/kbs-policies', 'ConfigMap/kbs-provision', 'Deployment/kbs', 'Job/kbs-provision', 'NetworkPolicy/kbs', 'PersistentVolumeClaim/kbs-state', 'Service/kbs', 'ServiceAccount/kbs', 'ServiceAccount/kbs-provision', ...local, ...vnet].sort(),
    );
    expect(new Set(objects.filter((o) => !['PersistentVolume', 'StorageClass'].includes(o.kind)).map((o) => o.metadata.namespace))).toEqual(new Set([kbs.namespace]));
  });

  it('passes the Kubernetes 1.31 schema and the API-server rules', () => {
    expect(validateSchemas(objects)).toEqual([]);
    expect(validateSemantics(objects, { externalNamespaces: [kbs.namespace] })).toEqual([]);
  });

  it('loses nothing on restart: the only writable mounts are the claim (LocalFs base) and a scratch /tmp', () => {
    const writable = (container.volumeMounts as Json[]).filter((m) => m.readOnly !== true);
    const kinds = writable.map((m) => {
      const v = spec.volumes.find((x) => x.name === m.name) as Json;
      return `${m.mountPath as string}:${v.persistentVolumeClaim ? 'pvc' : v.emptyDir ? 'emptyDir' : 'other'}`;
    });
    expect(kinds.sort()).toEqual(['/opt/confidential-containers/storage:pvc', '/tmp:emptyDir']);
    expect(at(kbsToml(objects), 'storage_backend', 'backends', 'local_fs', 'dir_path')).toBe('/opt/confidential-containers/storage');
    const claim = find(objects, 'PersistentVolumeClaim', 'kbs-state');
    expect(at(claim, 'spec', 'accessModes')).toEqual(['ReadWriteOnce']);
    expect(at(claim, 'spec', 'storageClassName')).toBe({ 'azure-tdx': 'azure-tdx-kbs-local', 'azure-peer-pods': 'managed-csi-premium' }[name as string]);
    if (name === 'azure-tdx') {
      // The one volume of that class: the folder on kbs-server, reserved for this claim, kept.
      expect(find(objects, 'PersistentVolume', 'azure-tdx-kbs-state').spec).toMatchObject({
        storageClassName: 'azure-tdx-kbs-local',
        persistentVolumeReclaimPolicy: 'Retain',
        local: { path: '/var/lib/coco-kbs' },
        claimRef: { namespace: kbs.namespace, name: 'kbs-state' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['kbs-server'] }] }] } },
      });
    }
    expect(at(claim, 'metadata', 'annotations', 'argocd.argoproj.io/sync-options')).toBe('Prune=false,Delete=false');
  });

  it('runs the pinned image non-root with a read-only root filesystem, no token and no privileges', () => {
    expect(container.image).toBe(VERSIONS.kbsImage);
    expect(VERSIONS.kbsImage.endsWith(`:built-in-as-${VERSIONS.trustee}`)).toBe(true);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', 'kbs').automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', 'kbs-provision').automountServiceAccountToken).toBe(false);
    expect(container.resources).toEqual({ requests: { cpu: kbs.compute.cpuRequest, memory: kbs.compute.memoryRequest }, limits: { memory: kbs.compute.memoryLimit } });
  });

  it('probes /healthz over the scheme KBS serves; one replica with Recreate on ReadWriteOnce', () => {
    const scheme = kbs.tlsSecretName ? 'HTTPS' : 'HTTP';
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(at(container, probe, 'httpGet')).toEqual({ path: '/healthz', port: scheme.toLowerCase(), scheme });
    }
    expect(at(deployment, 'spec', 'replicas')).toBe(1);
    expect(at(deployment, 'spec', 'strategy')).toEqual({ type: 'Recreate' });
    expect(objects.some((o) => o.kind === 'PodDisruptionBudget')).toBe(false);
  });

  it('rolls the pods when the config changes', () => {
    const hash = at(deployment, 'spec', 'template', 'metadata', 'annotations', 'coco.azure/config-sha256');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const other = kbsObjects(loadEnv(name, (c) => (c.kbs.admin.policyRole = 'other-role')));
    expect(at(find(other, 'Deployment', 'kbs'), 'spec', 'template', 'metadata', 'annotations', 'coco.azure/config-sha256')).not.toBe(hash);
  });

  it('pins KBS to the dedicated KBS node (azure-tdx kbs-server, the azure-peer-pods KBS pool) only', () => {
    if (name !== 'coco-dev') {
      expect(spec.nodeSelector).toEqual({ [KBS_NODE_LABEL.key]: KBS_NODE_LABEL.value });
      expect(spec.tolerations).toEqual([{ key: KBS_NODE_TAINT.key, operator: 'Equal', value: KBS_NODE_TAINT.value, effect: KBS_NODE_TAINT.effect }]);
    } else {
      expect(spec.nodeSelector).toBeUndefined();
      expect(spec.tolerations).toBeUndefined();
    }
  });

  it('serves the Service at the fixed ClusterIP the node-level clients use', () => {
    const service = find(objects, 'Service', 'kbs');
    expect(at(service, 'spec', 'clusterIP')).toBe(kbs.serviceClusterIP);
    expect(at(service, 'spec', 'ports')).toEqual([{ name: kbs.tlsSecretName ? 'https' : 'http', port: 8080, targetPort: kbs.tlsSecretName ? 'https' : 'http', protocol: 'TCP' }]);
    expect(kbsNodeUrl(kbsEndpoint(env.config))).toBe(`${kbs.tlsSecretName ? 'https' : 'http'}://${kbs.serviceClusterIP}:8080`);
  });

  it('admits 8080 only from the provisioning Job and the configured clients', () => {
    const policy = find(objects, 'NetworkPolicy', 'kbs');
    expect(at(policy, 'spec', 'podSelector', 'matchLabels')).toEqual(at(deployment, 'spec', 'selector', 'matchLabels'));
    expect(at(policy, 'spec', 'policyTypes')).toEqual(['Ingress']);
    const rules = at(policy, 'spec', 'ingress') as Json[];
    expect(rules).toHaveLength(1);
    expect(rules[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    const from = rules[0].from as Json[];
    const jobLabels = at(find(objects, 'Job', 'kbs-provision'), 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
    const jobSelector = at(from[0], 'podSelector', 'matchLabels') as Record<string, string>;
    expect(Object.entries(jobSelector).every(([k, v]) => jobLabels[k] === v)).toBe(true);
    if (name === 'azure-tdx') {
      expect(from.slice(1)).toEqual([{ ipBlock: { cidr: env.config.infrastructure.network.subnets.worker } }]);
    } else if (name === 'azure-peer-pods') {
      // Pod VMs, through the kbs-vnet load balancer with their own source address.
      expect(from.slice(1)).toEqual([{ ipBlock: { cidr: env.config.infrastructure.network.subnets.podVms } }]);
    } else {
      expect(from.slice(1)).toEqual([{ namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: kbs.access.namespaces }] } }]);
      expect(kbs.access.namespaces.length).toBeGreaterThan(0);
    }
  });

  it('provisions after sync from Secret references, never mounting KBS keys into the Job', () => {
    const job = find(objects, 'Job', 'kbs-provision');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'PostSync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      // Plain helm install runs it after the release's objects exist; the script waits for KBS.
      'helm.sh/hook': 'post-install,post-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation',
    });
    const jobSpec = podSpec(job);
    const c = jobSpec.containers[0];
    expect(c.image).toBe(VERSIONS.curlImage);
    const env_ = Object.fromEntries((c.env as Json[]).map((e) => [e.name, e.value]));
    expect(env_.KBS_URL).toBe(kbsClusterUrl(kbsEndpoint(env.config)));
    // Every resource line names a file that a Secret volume of the Job provides.
    const lines = configMapData(objects, 'kbs-provision')['resources.txt'].trim().split('\n');
    expect(lines).toEqual(kbs.resources.map((r) => `${r.path} ${r.secretName} ${r.secretKey}`));
    for (const r of kbs.resources) {
      const file = resolveFile(jobSpec, c, `${env_.RESOURCE_DIR as string}/${r.secretName}/${r.secretKey}`);
      expect(at(file?.volume, 'secret')).toMatchObject({ secretName: r.secretName, optional: true });
    }
    for (const [file, secretName] of [
      [env_.POLICY_TOKEN_FILE, kbs.admin.policyTokenSecretName],
      [env_.RESOURCE_TOKEN_FILE, kbs.admin.resourceTokenSecretName],
    ]) {
      expect(at(resolveFile(jobSpec, c, file as string)?.volume, 'secret')).toMatchObject({ secretName, optional: true });
    }
    expect(env_.MAX_TOKEN_SECONDS).toBe(String(kbs.admin.maxTokenHours * 3600));
    const secrets = jobSpec.volumes.flatMap((v) => (v.secret ? [v.secret as Json] : []));
    // The Job sees the KBS certificate, never its key, and none of KBS's own key material.
    for (const s of secrets) {
      expect([kbs.admin.publicKeySecretName, kbs.tokenSignerSecretName]).not.toContain(s.secretName);
      if (s.secretName === kbs.tlsSecretName) expect((s.items as Json[]).map((i) => i.key)).toEqual(['tls.crt', 'ca.crt']);
    }
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(jobSpec.automountServiceAccountToken).toBe(false);
  });
});

describe('variants', () => {
  it('more replicas on ReadWriteMany storage: rolling update and a PodDisruptionBudget', () => {
    const objects = kbsObjects(
      loadEnv('azure-tdx', (c) => {
        c.kbs.replicas = 2;
        c.kbs.storage.accessMode = 'ReadWriteMany';
      }),
    );
    const deployment = find(objects, 'Deployment', 'kbs');
    expect(at(deployment, 'spec', 'replicas')).toBe(2);
    expect(at(deployment, 'spec', 'strategy', 'type')).toBe('RollingUpdate');
    const pdb = find(objects, 'PodDisruptionBudget', 'kbs');
    expect(at(pdb, 'spec')).toEqual({ minAvailable: 1, selector: { matchLabels: at(deployment, 'spec', 'selector', 'matchLabels') } });
    expect(validateSchemas(objects)).toEqual([]);
  });

  it('no dedicated KBS node: no node selector', () => {
    const objects = kbsObjects(loadEnv('azure-tdx', (c) => c.infrastructure.tdx && (c.infrastructure.tdx.kbsNode.enabled = false)));
    expect(podSpec(find(objects, 'Deployment', 'kbs')).nodeSelector).toBeUndefined();
  });

  it('the TOML renderer refuses another Trustee release', () => {
    expect(KBS_CONFIG_FORMAT).toBe(VERSIONS.trustee);
    const input = { port: 8080, admin: { publicKeyPath: '/k', issuer: 'i', audience: 'a', roles: [{ role: 'r', allowedEndpoints: '^/kbs$' }] }, storageDir: '/s', source: 'x' };
    expect(() => renderKbsConfigToml(input, 'v0.22.0')).toThrow(/renders the Trustee v0\.21\.0 config format, but VERSIONS\.trustee is v0\.22\.0/);
    expect(renderKbsConfigToml(input)).toContain('[admin]');
  });
});

describe('synth CLI', () => {
  it('renders dist/<env>/kbs for azure-peer-pods, azure-tdx and coco-dev through every validator and the secret scan', () => {
    const dir = makeTempRepo();
    const r = runSynth(dir, [...ENVS]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ENVS) {
      const folder = join(dir, 'dist', name, 'kbs');
      const files = readdirSync(folder).sort();
      expect(files).toEqual(expect.arrayContaining(['configmap-kbs-config.yaml', 'deployment-kbs.yaml', 'job-kbs-provision.yaml', 'persistentvolumeclaim-kbs-state.yaml', 'service-kbs.yaml', 'networkpolicy-kbs.yaml']));
      // The written file is what the builder produced (decoded from YAML).
      const written = parseYaml(readFileSync(join(folder, 'configmap-kbs-config.yaml'), 'utf8')) as Json;
      expect(at(written, 'data', 'kbs-config.toml')).toBe(configMapData(kbsObjects(loadEnv(name)), 'kbs-config')['kbs-config.toml']);
    }
    expect(scanForSecrets(join(dir, 'dist'))).toEqual([]);
  });
});
