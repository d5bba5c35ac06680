import { notFound } from 'next/navigation';
import { nodeNameSchema } from '../../lib/search-params';

/** The `[name]` segment as a valid node name, or the not-found page. */
export function nodeNameFrom(raw: string): string {
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    notFound();
  }
  const parsed = nodeNameSchema.safeParse(name);
  if (!parsed.success) notFound();
  return parsed.data;
}
