import { join } from 'node:path';
import type { NextConfig } from 'next';

// The monorepo root: node_modules (fonts, packages) and the lock file live there.
const workspaceRoot = join(__dirname, '../..');

const nextConfig: NextConfig = {
  // The container image (deploy/dashboard/Dockerfile) builds with ROUTESCOPE_DASHBOARD_STANDALONE=1:
  // a self-contained server.js with only the node_modules it traces. `npm start` runs `next start`.
  ...(process.env.ROUTESCOPE_DASHBOARD_STANDALONE === '1' ? { output: 'standalone' as const } : {}),
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: workspaceRoot },
  outputFileTracingRoot: workspaceRoot,
  // The live-update proxy speaks graphql-ws over `ws` on the server; keep them out of the bundle.
  serverExternalPackages: ['ws', 'graphql-ws'],
  // "Check a capture" posts up to the API's 1 MiB of text through a Server Action (JSON-encoded:
  // escapes can grow it); Next's default body limit of 1 MB would refuse a paste the API accepts.
  experimental: { serverActions: { bodySizeLimit: '3mb' } },
};

export default nextConfig;
