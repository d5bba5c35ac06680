import { existsSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { delimiter } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterModuleOptions } from './cluster-options';
import type { KubernetesClientModule } from './kubernetes-client';
import { ClusterError, ClusterErrorCode } from './cluster.errors';

/** Where client-node reads the pod's service account (KubeConfig.loadFromCluster). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeConfigSource =
  | { kind: 'off' }
  | { kind: 'explicit' }
  | { kind: 'kubeconfig'; files: string }
  | { kind: 'in-cluster'; host: string; port: string }
  | { kind: 'none' };

/**
 * Decides, without loading anything, whether and how to reach a cluster: an explicit
 * KubeConfig, then KUBECONFIG, then the in-cluster service account (KUBERNETES_SERVICE_HOST
 * and _PORT plus the token file). A ~/.kube/config alone is deliberately not enough: a
 * developer's laptop should not start watching whatever cluster is current.
 */
export function detectKubeConfig(options: ClusterModuleOptions): KubeConfigSource {
  if ((options.mode ?? 'auto') === 'off') return { kind: 'off' };
  if (options.kubeConfig) return { kind: 'explicit' };
  const env = options.env ?? process.env;
  if (env['KUBECONFIG']) return { kind: 'kubeconfig', files: env['KUBECONFIG'] };
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host && port && existsSync(`${options.inClusterPathPrefix ?? ''}${SERVICE_ACCOUNT_DIR}/token`)) return { kind: 'in-cluster', host, port };
  return { kind: 'none' };
}

export function describeSource(source: KubeConfigSource, config?: KubeConfig): string {
  const server = config?.getCurrentCluster()?.server;
  switch (source.kind) {
    case 'off':
      return 'ROUTESCOPE_KUBERNETES=off';
    case 'explicit':
      return `the configured cluster ${server ?? ''}`.trim();
    case 'kubeconfig':
      return `KUBECONFIG=${source.files} (context ${config?.getCurrentContext() ?? '?'}, ${server ?? 'no server'})`;
    case 'in-cluster':
      return `the in-cluster service account (${server ?? `${source.host}:${source.port}`})`;
    default:
      return 'no configuration';
  }
}

/** Builds the KubeConfig for a detected source; a KUBECONFIG that cannot be read is an error worth stopping for. */
export function loadKubeConfig(k8s: KubernetesClientModule, source: KubeConfigSource, options: ClusterModuleOptions): KubeConfig {
  if (source.kind === 'explicit' && options.kubeConfig) return options.kubeConfig;
  const config = new k8s.KubeConfig();
  if (source.kind === 'kubeconfig') {
    // As loadFromDefault (and kubectl) do: every file of the list, merged, the first one's context current.
    const files = source.files.split(delimiter).filter(Boolean);
    try {
      config.loadFromFile(files[0]);
      for (const file of files.slice(1)) {
        const more = new k8s.KubeConfig();
        more.loadFromFile(file);
        config.mergeConfig(more);
      }
    } catch (error) {
      throw new ClusterError(ClusterErrorCode.InvalidKubeConfig, `KUBECONFIG=${source.files}: ${(error as Error).message}`);
    }
    if (!config.getCurrentCluster()) throw new ClusterError(ClusterErrorCode.InvalidKubeConfig, `KUBECONFIG=${source.files}: no current context with a cluster`);
    return config;
  }
  if (source.kind === 'in-cluster') {
    // loadFromCluster gives the service account's CA and (rotating) token file; it reads the
    // server from process.env, so the detected host and port are set explicitly, with its rules
    // (http on 80/8080/8001, IPv6 in brackets).
    config.loadFromCluster(options.inClusterPathPrefix ?? '');
    const scheme = ['80', '8080', '8001'].includes(source.port) ? 'http' : 'https';
    const host = isIPv6(source.host) ? `[${source.host}]` : source.host;
    config.loadFromOptions({
      clusters: config.clusters.map((cluster) => ({ ...cluster, server: `${scheme}://${host}:${source.port}` })),
      users: config.users,
      contexts: config.contexts,
      currentContext: config.currentContext,
    });
    return config;
  }
  throw new ClusterError(ClusterErrorCode.NoKubeConfig, `no Kubernetes configuration to load (${source.kind})`);
}
