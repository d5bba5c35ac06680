export enum ClusterErrorCode {
  /** KUBECONFIG names files that do not load, or no context of them has a cluster */
  InvalidKubeConfig = 'INVALID_KUBE_CONFIG',
  /** asked to load a configuration that detection did not find */
  NoKubeConfig = 'NO_KUBE_CONFIG',
}

/** Errors of the cluster module (configuration of the Kubernetes watch); logged at start-up, never a client's fault. */
export class ClusterError extends Error {
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
  ) {
    super(message);
  }
}
