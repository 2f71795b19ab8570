/**
 * CRDs the cluster has before the sync (Argo CD's, and what `cluster.crds` declares), applied and
 * served: the API server calls them Established, and discovery is read again.
 */
import type { KubeClient, KubeObject } from './kube-client';
import { waitFor } from './wait-for';

export async function installCrds(client: KubeClient, crds: readonly KubeObject[]): Promise<void> {
  for (const crd of crds) await client.apply(crd);
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} established`, async () => {
      const live = await client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', crd.metadata.name);
      return ((live?.status?.conditions as { type: string; status: string }[] | undefined) ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    });
  }
  client.resetDiscovery();
}
