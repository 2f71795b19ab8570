/** The one place that decides the recommended Kubernetes labels on everything we render. */

export const PART_OF = 'confidential-containers';
export const MANAGED_BY = 'coco-azure-gitops';

export interface LabelProps {
  /** `app.kubernetes.io/name`: what the object belongs to, e.g. `kbs`. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: the environment name. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: the bundle component, e.g. `kbs`, `argocd`. */
  readonly component: string;
}

/** @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/ */
export function standardLabels(p: LabelProps): Record<string, string> {
  return {
    'app.kubernetes.io/name': p.name,
    'app.kubernetes.io/instance': p.instance,
    'app.kubernetes.io/component': p.component,
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}
