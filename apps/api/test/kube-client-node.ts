import * as NodeModule from 'node:module';
import type { KubernetesClientModule } from '../src/cluster/kubernetes-client';

// @kubernetes/client-node 1.x is ESM-only. Node requires it natively (require(esm), Node >=
// 20.19), but Jest's CommonJS runtime refuses ("Must use import to load ES Module") and the
// API's jest config transforms nothing in node_modules but PGlite. The cluster suites
// therefore hand Jest the real library, loaded by Node's own require:
//
//   jest.mock('@kubernetes/client-node', () => jest.requireActual<typeof import('../../test/kube-client-node')>('../../test/kube-client-node').clientNode());
//
// This is not a mock: it is the same code the API runs, loaded outside Jest's registry.

let loaded: KubernetesClientModule | undefined;

export function clientNode(): KubernetesClientModule {
  if (loaded) return loaded;
  // Inside Jest, `node:module` is a subclass whose createRequire is Jest's; its parent is Node's.
  const jestModule = NodeModule.Module as unknown as { createRequire: typeof NodeModule.createRequire };
  const nodeModule = Object.getPrototypeOf(jestModule) as { createRequire?: typeof NodeModule.createRequire } | null;
  const createRequire = typeof nodeModule?.createRequire === 'function' ? nodeModule.createRequire : NodeModule.createRequire;
  loaded = createRequire(__filename)('@kubernetes/client-node') as KubernetesClientModule;
  return loaded;
}
