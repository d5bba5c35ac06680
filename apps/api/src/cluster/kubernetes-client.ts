import type * as KubernetesClient from '@kubernetes/client-node';

export type KubernetesClientModule = typeof KubernetesClient;

/**
 * Loads @kubernetes/client-node only when a cluster is actually watched. The package is
 * ESM-only: Node (>= 20.19) requires it from the API's CommonJS bundle without trouble, but
 * Jest's CommonJS runtime cannot, and every API suite boots AppModule. Kept out of the
 * module graph until needed, it costs nothing where no cluster is configured (including
 * those suites); the cluster suites provide it through apps/api/test/kube-client-node.ts.
 */
export function loadKubernetesClient(): Promise<KubernetesClientModule> {
  return import('@kubernetes/client-node');
}
