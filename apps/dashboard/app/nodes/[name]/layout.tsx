import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { fetchNodeHeader, load } from '../../lib/data';
import { nodeNameFrom } from './node-name';

// The node's existence is checked here, outside the page's loading boundary: a layout renders
// before anything streams, so an unknown node answers HTTP 404 (app/nodes/not-found.tsx), not a
// 200 with a "not found" body. An API that cannot answer is left to the page, which says so.
export default async function NodeLayout(props: { children: ReactNode; params: Promise<{ name: string }> }) {
  const name = nodeNameFrom((await props.params).name);
  const header = await load(() => fetchNodeHeader(name));
  if (header.ok && header.data === null) notFound();
  return props.children;
}
