import { z } from 'zod';
import { first, nodeNameSchema, parseNodeParams, PAGE_SIZES, type FieldErrors, type RawSearchParams } from '../../lib/search-params';

// The blocks page's URL: `at` (as on the node page), the "only blocks with problems" filter, the
// page (size, cursor, offset for "1–50 of 1,000"), and the selected block or cell (evidence).

export interface BlocksParams {
  at?: Date;
  problems: boolean;
  size: number;
  after?: string;
  offset: number;
  /** the block whose evidence is shown */
  block?: string;
  /** with `block`: the cell (node) whose evidence is shown */
  node?: string;
}

export type BlocksField = keyof BlocksParams;

export const BLOCK_PAGE_SIZES = PAGE_SIZES;

const schema = z.object({
  problems: z.enum(['1', '0']).default('0'),
  size: z.coerce
    .number()
    .int()
    .refine((n) => (BLOCK_PAGE_SIZES as readonly number[]).includes(n), `blocks per page is one of ${BLOCK_PAGE_SIZES.join(', ')}`)
    .default(50),
  after: z.string().max(512, 'the page cursor is too long').regex(/^[A-Za-z0-9_-]+$/, 'not a page cursor').optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  block: z
    .string()
    .max(64, 'a block is at most 64 characters')
    .regex(/^[0-9A-Fa-f.:]+\/\d{1,3}$/, 'not a block (a CIDR such as 172.17.8.0/26)')
    .optional(),
  node: nodeNameSchema.optional(),
});

export function parseBlocksParams(raw: RawSearchParams, now: Date): { params: BlocksParams; errors: FieldErrors<BlocksField> } {
  const time = parseNodeParams(raw, now);
  const input = Object.fromEntries(['problems', 'size', 'after', 'offset', 'block', 'node'].map((k) => [k, first(raw, k)]));
  const parsed = schema.safeParse(input);
  const errors: FieldErrors<BlocksField> = {};
  if (time.errors.at) errors.at = time.errors.at;
  let values: z.output<typeof schema>;
  if (parsed.success) values = parsed.data;
  else {
    for (const issue of parsed.error.issues) errors[String(issue.path[0]) as BlocksField] ??= issue.message;
    values = schema.parse(Object.fromEntries(Object.entries(input).filter(([k]) => !(k in errors))));
  }
  // A cursor without its offset (or the reverse) cannot say where the page is: start over.
  const paged = values.after !== undefined && values.offset > 0;
  return {
    params: {
      at: time.params.at,
      problems: values.problems === '1',
      size: values.size,
      after: paged ? values.after : undefined,
      offset: paged ? values.offset : 0,
      block: values.block,
      node: values.block ? values.node : undefined,
    },
    errors,
  };
}
