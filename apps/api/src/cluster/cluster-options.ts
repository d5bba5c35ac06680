import type { KubeConfig } from '@kubernetes/client-node';

/** `off`: never watch; `auto` (default): watch when KUBECONFIG or an in-cluster service account is present. */
export type KubernetesMode = 'off' | 'auto';

export interface ClusterModuleOptions {
  /** ROUTESCOPE_KUBERNETES (default `auto`). */
  mode?: KubernetesMode;
  /** An explicit configuration (tests, tooling); bypasses the KUBECONFIG / in-cluster detection. */
  kubeConfig?: KubeConfig;
  /**
   * Where KUBECONFIG, KUBERNETES_SERVICE_HOST/_PORT and FELIX_INTERFACEPREFIX are read (default
   * process.env). The API passes the values its validated config read, so a suite that builds
   * its config from an explicit environment never watches the cluster of the shell it runs in.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Prefix of the service-account folder (/var/run/secrets/kubernetes.io/serviceaccount), as KubeConfig.loadFromCluster takes it; tests only. */
  inClusterPathPrefix?: string;
  /** Page size of list requests (default 500). */
  pageSize?: number;
  /** Reconnect back-off after a failed list or watch: first delay and ceiling, in ms (default 1 s … 60 s). */
  retry?: { initialMs?: number; maxMs?: number };
  /** Ask the server to end each watch after this long, then resume it (default 5–10 min, randomised like client-go). */
  watchTimeoutSeconds?: number;
  /** Time source of history intervals (default: now). */
  clock?: () => Date;
}

export const CLUSTER_OPTIONS = Symbol('CLUSTER_OPTIONS');
