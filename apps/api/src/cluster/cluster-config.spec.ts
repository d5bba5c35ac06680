// No cluster can run here; the KUBECONFIG case talks to @routescope/testing's FakeKubeApiServer, which
// speaks the real wire protocol, through a kubeconfig file read by the real client-node.
jest.mock('@kubernetes/client-node', () => jest.requireActual<typeof import('../../test/kube-client-node')>('../../test/kube-client-node').clientNode());

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Database } from '@routescope/db';
import { DatabaseModule } from '../database/database.module';
import { ClusterContextService } from './cluster-context.service';
import type { ClusterModuleOptions } from './cluster-options';
import { ClusterModule } from './cluster.module';
import { ClusterWatchService } from './cluster-watch.service';
import { detectKubeConfig, loadKubeConfig, SERVICE_ACCOUNT_DIR } from './kube-config-source';
import { clientNode } from '../../test/kube-client-node';
import { eventually, node, TOKEN } from '../../test/cluster-harness';
import { FakeKubeApiServer } from '@routescope/testing';

/** Stands in for the opened database where nothing is written (no cluster, or only the context is read). */
const noDatabase = { kind: 'none', close: async () => undefined } as unknown as Database;

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown, context?: string) {
    this.lines.push(`${context ?? ''}: ${String(message)}`);
  }
  error(message: unknown, context?: string) {
    this.log(message, context);
  }
  warn(message: unknown, context?: string) {
    this.log(message, context);
  }
}

async function boot(options: ClusterModuleOptions): Promise<{ module: TestingModule; logger: CapturingLogger }> {
  const module = await Test.createTestingModule({ imports: [DatabaseModule.forDatabase(noDatabase), ClusterModule.forRoot(options)] }).compile();
  const logger = new CapturingLogger();
  module.useLogger(logger);
  await module.init();
  return { module, logger };
}

describe('cluster configuration', () => {
  let dir: string;
  let module: TestingModule | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rs-cluster-'));
  });
  afterEach(async () => {
    await module?.close();
    module = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it.each<[string, ClusterModuleOptions, string]>([
    ['off', { mode: 'off', env: { KUBECONFIG: '/x' } }, 'Kubernetes watch is off (ROUTESCOPE_KUBERNETES=off)'],
    ['no configuration', { env: {} }, 'no Kubernetes configuration (neither KUBECONFIG nor an in-cluster service account): not watching a cluster'],
  ])('does nothing but log one line when %s', async (_name, options, line) => {
    const booted = await boot(options);
    module = booted.module;
    expect(booted.logger.lines.filter((l) => l.startsWith('Cluster:'))).toEqual([`Cluster: ${line}`]);
    const context = module.get(ClusterContextService);
    expect(context.context()).toBeUndefined();
    expect(context.podForVeth('node-a', 'cali7f94ce7c295')).toBeUndefined();
    expect(await context.podForAddress('172.17.8.2')).toBeUndefined();
    expect(module.get(ClusterWatchService).status()).toEqual({ watching: false, source: options.mode === 'off' ? 'off' : 'none', resources: [] });
  });

  it('detects KUBECONFIG first, then the in-cluster service account (host, port and token file)', () => {
    const prefix = join(dir, 'root');
    const inCluster = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect(detectKubeConfig({ env: { ...inCluster, KUBECONFIG: '/etc/kube/config' }, inClusterPathPrefix: prefix })).toEqual({ kind: 'kubeconfig', files: '/etc/kube/config' });
    expect(detectKubeConfig({ env: inCluster, inClusterPathPrefix: prefix })).toEqual({ kind: 'none' }); // no token file
    mkdirSync(join(prefix, SERVICE_ACCOUNT_DIR), { recursive: true });
    writeFileSync(join(prefix, SERVICE_ACCOUNT_DIR, 'token'), 'sa-token');
    writeFileSync(join(prefix, SERVICE_ACCOUNT_DIR, 'ca.crt'), '');
    const source = detectKubeConfig({ env: inCluster, inClusterPathPrefix: prefix });
    expect(source).toEqual({ kind: 'in-cluster', host: '10.96.0.1', port: '443' });
    expect(detectKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' }, inClusterPathPrefix: prefix })).toEqual({ kind: 'none' });
    expect(detectKubeConfig({ mode: 'off', env: inCluster, inClusterPathPrefix: prefix })).toEqual({ kind: 'off' });

    const before = { host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] };
    const config = loadKubeConfig(clientNode(), source, { env: inCluster, inClusterPathPrefix: prefix });
    expect(config.getCurrentCluster()).toMatchObject({ server: 'https://10.96.0.1:443', caFile: join(prefix, SERVICE_ACCOUNT_DIR, 'ca.crt') });
    expect(config.getCurrentUser()).toMatchObject({ authProvider: { name: 'tokenFile', config: { tokenFile: join(prefix, SERVICE_ACCOUNT_DIR, 'token') } } });
    expect({ host: process.env['KUBERNETES_SERVICE_HOST'], port: process.env['KUBERNETES_SERVICE_PORT'] }).toEqual(before);
  });

  it('refuses a KUBECONFIG that cannot be read', () => {
    expect(() => loadKubeConfig(clientNode(), { kind: 'kubeconfig', files: join(dir, 'missing') }, {})).toThrow(/^KUBECONFIG=.*missing/);
  });

  it('watches the cluster a KUBECONFIG file points at', async () => {
    const server = await FakeKubeApiServer.start({ token: TOKEN });
    try {
      server.create('nodes', node('node-a', '10.0.0.11'));
      const file = join(dir, 'kubeconfig');
      writeFileSync(
        file,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters: [{name: fake, cluster: {server: "' + server.url + '", insecure-skip-tls-verify: true}}]',
          'users: [{name: routescope, user: {token: ' + TOKEN + '}}]',
          'contexts: [{name: fake, context: {cluster: fake, user: routescope}}]',
          'current-context: fake',
          '',
        ].join('\n'),
      );
      // Only the context is read here: a history that cannot be written is logged and retried, not fatal.
      const booted = await boot({ env: { KUBECONFIG: file }, retry: { initialMs: 60000 } });
      module = booted.module;
      expect(booted.logger.lines).toContainEqual(expect.stringMatching(/^Cluster: watching Kubernetes through KUBECONFIG=.*kubeconfig \(context fake, http:\/\/127\.0\.0\.1:\d+\)/));
      await eventually(() => expect(module!.get(ClusterContextService).context()?.nodes).toEqual([{ name: 'node-a', internalIPs: ['10.0.0.11'] }]));
      expect(server.requests.every((r) => r.status !== 401)).toBe(true);
    } finally {
      await module?.close();
      module = undefined;
      await server.close();
    }
  });
});
