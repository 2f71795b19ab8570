/**
 * Every place a rendered object names an image: the containers of every pod template, and the
 * image values the bundle sets for upstream Helm charts (which Argo CD renders in the cluster).
 * One walker serves pinning (buildManifests), `requireDigests`, POSTURE.md and `npm run pin-images`,
 * so they cannot disagree about which images the bundle runs.
 */
import type { K8sObject } from '../shared/k8s-object';
import { objectId } from '../shared/k8s-object';
import { pinnedImage, type ImageLock } from '../shared/image-ref';
import { COCO_CHART_IMAGE_VALUES, COCO_CHART_REPO } from '../k8s/runtime/coco-chart-application';
import { CERT_MANAGER_IMAGE_VALUES } from '../k8s/runtime/cert-manager-application';
import { PEERPODS_IMAGE_VALUES } from '../k8s/runtime/peerpods-application';
import { CERT_MANAGER_CHART, PEERPODS_CHART } from '../shared/peer-pods';
import { chartImage, chartImageOfValue, type ChartImageSlotSpec } from './chart-image-values';

/** Image values (paths in `helm.valuesObject` and their spelling) of the upstream charts the bundle installs, by chart repository. */
const CHART_IMAGE_VALUES: Readonly<Record<string, readonly ChartImageSlotSpec[]>> = {
  [COCO_CHART_REPO]: COCO_CHART_IMAGE_VALUES.map((path) => ({ path, shape: 'reference-tag' as const })),
  [PEERPODS_CHART]: PEERPODS_IMAGE_VALUES,
  [CERT_MANAGER_CHART]: CERT_MANAGER_IMAGE_VALUES,
};

/** Where the pod spec sits in objects that run pods. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

export interface ImageSlot {
  /** `Kind/namespace/name` of the object naming the image. */
  readonly owner: string;
  /** JSON pointer of the image inside that object. */
  readonly path: string;
  /** True for an upstream chart value (a pod Argo CD renders from the chart, not from dist/). */
  readonly chartValue: boolean;
  /** For readers: `Job/coco-tenant/kbs-provision container provision`, `Application/argocd/x chart value a.b`. */
  readonly usedBy: string;
  readonly image: string;
  /** Replaces the image in the object. */
  set(image: string): void;
}

type Json = Record<string, unknown>;

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(root: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (isJson(node) ? node[key] : undefined), root);
}

function pointer(path: readonly (string | number)[]): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function containerSlots(o: K8sObject): ImageSlot[] {
  const specPath = POD_SPEC_PATHS[o.kind];
  const spec = specPath ? at(o, specPath) : undefined;
  if (!specPath || !isJson(spec)) return [];
  return CONTAINER_LISTS.flatMap((list) => {
    const containers = spec[list];
    if (!Array.isArray(containers)) return [];
    return containers.flatMap((c: unknown, i) =>
      isJson(c) && typeof c.image === 'string'
        ? [
            {
              owner: objectId(o),
              path: pointer([...specPath, list, i, 'image']),
              chartValue: false,
              usedBy: `${objectId(o)} container ${String(c.name)}`,
              image: c.image,
              set: (image: string) => void (c.image = image),
            },
          ]
        : [],
    );
  });
}

/** Image values of an Argo CD Application's Helm source (`spec.source`: the bundle renders no multi-source Application). */
function chartValueSlots(o: K8sObject): ImageSlot[] {
  if (o.kind !== 'Application' || !o.apiVersion.startsWith('argoproj.io/')) return [];
  const source = at(o, ['spec', 'source']);
  const paths = isJson(source) && typeof source.repoURL === 'string' ? CHART_IMAGE_VALUES[source.repoURL] : undefined;
  const values = at(source, ['helm', 'valuesObject']);
  if (!paths || !isJson(values)) return [];
  return paths.flatMap(({ path, shape }) => {
    const parent = at(values, path.slice(0, -1));
    const key = path[path.length - 1];
    const value = isJson(parent) ? parent[key] : undefined;
    const image = chartImageOfValue(shape, value);
    if (!isJson(parent) || image === undefined) return [];
    return [
      {
        owner: objectId(o),
        path: pointer(['spec', 'source', 'helm', 'valuesObject', ...path]),
        chartValue: true,
        usedBy: `${objectId(o)} chart value ${path.join('.')}`,
        image,
        // Keeps the value's other keys (pullPolicy) beside the image.
        set: (pinned: string) => {
          const encoded = chartImage(shape, pinned);
          parent[key] = isJson(encoded) && isJson(value) ? { ...value, ...encoded } : encoded;
        },
      },
    ];
  });
}

/** The image slots of `objects`, in object order. */
export function imageSlots(objects: readonly K8sObject[]): ImageSlot[] {
  return objects.flatMap((o) => [...containerSlots(o), ...chartValueSlots(o)]);
}

/** Pins every image of `objects` by the lock (in place): `repo:tag` becomes `repo:tag@sha256:...` where the lock has it. */
export function pinImages(objects: readonly K8sObject[], lock: ImageLock): void {
  if (lock.size === 0) return;
  for (const slot of imageSlots(objects)) slot.set(pinnedImage(slot.image, lock));
}
