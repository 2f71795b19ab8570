import { Construct } from 'constructs';
import { IntOrString, KubePodDisruptionBudget } from 'cdk8s-plus-30/lib/imports/k8s';

export interface KbsDisruptionBudgetProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels from standardLabels(). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the KBS pods. */
  readonly selector: Readonly<Record<string, string>>;
}

/** Keeps one KBS pod serving through node drains; rendered only with more than one replica. */
export class KbsDisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, props: KbsDisruptionBudgetProps) {
    super(scope, id);
    new KubePodDisruptionBudget(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: { minAvailable: IntOrString.fromNumber(1), selector: { matchLabels: { ...props.selector } } },
    });
  }
}
