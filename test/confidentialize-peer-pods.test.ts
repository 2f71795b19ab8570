// `confidentialize --environment azure-peer-pods`: a workload becomes a kata-remote pod whose
// initdata sends its attestation agent and CDH to the KBS's internal load balancer (pod VMs cannot
// reach ClusterIPs or cluster DNS), trusting the environment's KBS CA, under a generated agent policy.
import { targetFor } from '../src/confidentialize/target';
import { confidentializeObjects, type JsonObject } from '../src/confidentialize/transform';
import { INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { loadEnvironment } from '../src/config/load';
import { decodeInitdata } from './confidentialize-support';
import { repoRoot } from './support/tools';

const IMAGE = `registry.example/app:1.2.3@sha256:${'a'.repeat(64)}`;
const deployment: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { template: { metadata: { labels: { app: 'web' } }, spec: { automountServiceAccountToken: false, containers: [{ name: 'web', image: IMAGE, resources: { limits: { memory: '256Mi' } } }] } } },
};

describe('confidentialize for azure-peer-pods', () => {
  const env = loadEnvironment(repoRoot(), 'azure-peer-pods');
  const target = targetFor(env);
  const [out] = confidentializeObjects([deployment], target).objects as JsonObject[];
  const pod = (out.spec as JsonObject).template as JsonObject;
  const spec = pod.spec as JsonObject;
  const annotations = (pod.metadata as JsonObject).annotations as Record<string, string>;

  it('targets kata-remote with no node selector of its own (the RuntimeClass schedules onto kata-deploy nodes)', () => {
    expect(target).toMatchObject({ kind: 'kata', runtimeClass: 'kata-remote', tee: 'peer-pods', production: true });
    expect(spec.runtimeClassName).toBe('kata-remote');
    expect(spec.nodeSelector).toBeUndefined();
  });

  it('initdata: the KBS internal load balancer over HTTPS, with the KBS CA of the environment, and an agent policy', () => {
    const initdata = decodeInitdata(annotations[INITDATA_ANNOTATION]);
    expect(initdata.cdh).toMatchObject({ kbc: { name: 'cc_kbc', url: 'https://10.0.3.250:8080', kbs_cert: env.config.runtime.kbsCertificate } });
    expect(JSON.stringify(initdata.aa)).toContain('https://10.0.3.250:8080');
    expect(initdata.policy).toMatch(/default ExecProcessRequest := false/);
  });
});
