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
  // "Check a capture" posts up to the API's 1 MiB of text through a Server Action (JSON-encoded:
  // escapes can grow it); Next's default body limit of 1 MB would refuse a paste the API accepts.
  experimental: { serverActions: { bodySizeLimit: '3mb' } },
};

export default nextConfig;
