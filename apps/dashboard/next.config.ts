import { join } from 'node:path';
import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';

// The monorepo root: node_modules (fonts, packages) and the lock file live there.
const workspaceRoot = join(__dirname, '../..');

const nextConfig = (phase: string): NextConfig => ({
  // One build serves everything: `next build` also writes the standalone tree (server.js with only
  // the node_modules it traces) that the container image ships (deploy/dashboard/Dockerfile), and
  // `npm start`, the e2e suites and the bench serve the same .next with `next start`, which would
  // warn about a standalone config it does not use — so the server phase does not set it.
  ...(phase === PHASE_PRODUCTION_BUILD ? { output: 'standalone' as const } : {}),
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: workspaceRoot },
  outputFileTracingRoot: workspaceRoot,
  // The live-update proxy speaks graphql-ws over `ws` on the server; keep them out of the bundle.
  serverExternalPackages: ['ws', 'graphql-ws'],
  // "Check a capture" posts up to the API's 1 MiB of text through a Server Action (JSON-encoded:
  // escapes can grow it); Next's default body limit of 1 MB would refuse a paste the API accepts.
  experimental: { serverActions: { bodySizeLimit: '3mb' } },
});

export default nextConfig;
