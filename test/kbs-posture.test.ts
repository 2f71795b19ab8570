// POSTURE.md, "KBS resources": for every resource the KBS holds, which workloads (with the initdata
// digest their rendered pods really carry) and which measured nodes can obtain it.
import { buildManifests } from '../src/k8s/bundle';
import { postureReport } from '../src/render/posture';
import { decodeInitdata, initdataDigest, INITDATA_ANNOTATION } from '../src/confidentialize/initdata';
import { loadEnv } from './kbs-support';

function section(report: string): string {
  const start = report.indexOf('## KBS resources');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = report.indexOf('\n## ', start + 1);
  return report.slice(start, end < 0 ? undefined : end);
}

describe('POSTURE.md KBS resources', () => {
  it('bare-metal: every resource goes to the confidential app, by the digest of the initdata its Deployment carries', () => {
    const env = loadEnv('bare-metal');
    const folders = buildManifests(env);
    const deployment = folders.flatMap((f) => f.objects).find((o) => o.kind === 'Deployment' && o.metadata.name === 'confidential-app');
    const annotation = (deployment?.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations[INITDATA_ANNOTATION];
    const digest = initdataDigest(decodeInitdata(annotation) ?? '');
    const text = section(postureReport(env, folders));
    for (const r of env.config.kbs.resources) {
      expect(text).toContain(`| \`${r.path}\` | \`Deployment/coco-demo-confidential-app/confidential-app\` | \`${digest}\` | **any genuine, non-debug tdx** (executables not appraised) |`);
    }
    expect(text).toContain(`**Unmeasured TEEs accepted** (\`kbs.attestation.acceptUnmeasured\`): ${env.config.kbs.attestation.acceptUnmeasured?.reason}`);
  });

  it('azure-tdx: the image key goes to node-level clients; with reference values they are named', () => {
    const measured = loadEnv('azure-tdx', (c) => {
      c.kbs.attestation.acceptUnmeasured = undefined;
      c.kbs.attestation.measurements = [{ tee: 'az-tdx-vtpm', claim: 'tpm.pcr11', values: ['aa'] }];
    });
    const text = section(postureReport(measured, buildManifests(measured)));
    expect(text).toContain('| `default/image_key/nginx` | node-level clients (host confidential-data-hub) | none (node) | az-tdx-vtpm whose `tpm.pcr11` match the reference values |');
    expect(text).not.toContain('Unmeasured TEEs accepted');
  });

  it('a resource no workload references goes to nobody', () => {
    const env = loadEnv('azure-tdx', (c) => {
      c.kbs.resourcePolicy.extraPaths = ['default/secret/unused'];
    });
    expect(section(postureReport(env, buildManifests(env)))).toContain('| `default/secret/unused` | nobody (no workload references it) |  |  |');
  });

  it('environments without KBS have no section', () => {
    const env = loadEnv('aks-cvm');
    expect(postureReport(env, buildManifests(env))).not.toContain('## KBS resources');
  });
});
