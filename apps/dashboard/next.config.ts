import { join } from 'node:path';
import type { NextConfig } from 'next';

// The monorepo root: node_modules (fonts, packages) and the lock file live there.
const workspaceRoot = join(__dirname, '../..');

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: workspaceRoot },
  outputFileTracingRoot: workspaceRoot,
  // The live-update proxy speaks graphql-ws over `ws` on the server; keep them out of the bundle.
  serverExternalPackages: ['ws', 'graphql-ws'],
};

export default nextConfig;
