/** `runtime`: Kata/CoCo runtime classes and the Confidential Containers install. */
import { Type } from '@sinclair/typebox';
import { VERSIONS } from '../../shared/versions';
import { Component, EXPECTED_KEYWORD, K8sName, Section, Semver, StringEnum } from '../schema-helpers';

/**
 * RuntimeClass names kata-deploy 4.0.0 creates that this product can render (name = handler).
 * Kata 4.0 made runtime-rs the default runtime: the `-runtime-rs` names select it, the plain names
 * the Go runtime, so the flavour is always an explicit choice in the environment file.
 * `kata-qemu-sev` no longer exists upstream. Overheads live in src/k8s/runtime/kata-runtime-classes.ts.
 */
export const RUNTIME_CLASS_NAMES = [
  'kata-qemu-coco-dev',
  'kata-qemu-coco-dev-runtime-rs',
  'kata-qemu-tdx',
  'kata-qemu-tdx-runtime-rs',
  'kata-qemu-snp',
  'kata-qemu-snp-runtime-rs',
  'kata-qemu',
  'kata-qemu-runtime-rs',
  'kata-clh',
  'kata-clh-runtime-rs',
  'kata-remote',
] as const;

export type RuntimeClassName = (typeof RUNTIME_CLASS_NAMES)[number];

export const RuntimeClassNameSchema = (description: string, def?: RuntimeClassName) =>
  StringEnum(RUNTIME_CLASS_NAMES, { description, ...(def ? { default: def } : {}) });

export const Runtime = Component('Kata/CoCo runtime classes and the Confidential Containers install.', 'confidential-containers-system', {
  runtimeClasses: Type.Array(RuntimeClassNameSchema('An upstream Kata RuntimeClass name.'), {
    default: [],
    uniqueItems: true,
    description:
      'RuntimeClasses to render (cluster-scoped, handler = name, overhead from kata-deploy at the pinned Kata version). Azure CVMs have no nested virtualization: on Azure providers only kata-remote (peer pods) is accepted.',
  }),
  kbsCertificate: Type.Optional(
    Type.String({
      pattern: '^-----BEGIN CERTIFICATE-----\\n[A-Za-z0-9+/=\\n]+-----END CERTIFICATE-----\\n?$',
      [EXPECTED_KEYWORD]: 'a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)',
      description:
        'Certificate (public, PEM) the Kata guests trust for an HTTPS KBS: the CA or self-signed certificate of kbs.tlsSecretName, valid for the KBS ClusterIP. Embedded into initdata (aa.toml cert, cdh.toml kbs_cert). Omit when it chains to a public CA.',
    }),
  ),
  allowContainerLogs: Type.Boolean({
    default: false,
    description:
      'Let `kubectl logs` read the output of the rendered Kata workloads (the agent policy then allows ReadStreamRequest). Whatever a container prints leaves the TEE: choose it only for workloads that never print secrets.',
  }),
  cocoChart: Section(
    {
      install: Type.Boolean({
        default: true,
        description:
          'Install Kata through the Confidential Containers Helm chart (an Argo CD Application in this component). Its own RuntimeClasses are switched off: this bundle owns them.',
      }),
      version: Semver('Chart version of oci://ghcr.io/confidential-containers/charts/confidential-containers.', VERSIONS.cocoChart),
      releaseName: K8sName('Helm release name Argo CD renders the chart with.', 'coco'),
    },
    'The Confidential Containers Helm chart (kata-deploy under the alias kata-as-coco-runtime).',
  ),
});
