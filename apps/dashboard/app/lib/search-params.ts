import { z } from 'zod';
import { DAY, HOUR, parseInstant, QUICK_RANGES, WINDOWS, type WindowId } from './time';

// Every input a page takes comes from its URL and is checked here. Invalid values become field
// errors shown next to the form that sent them; the page still renders with safe defaults.

export type RawSearchParams = Record<string, string | string[] | undefined>;
export type FieldErrors<K extends string> = Partial<Record<K, string>>;

/** The first value of a query parameter (`?a=1&a=2` → `1`). */
export function first(params: RawSearchParams, name: string): string | undefined {
  const value = params[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined || one === '' ? undefined : one;
}

/** Kubernetes node names, as the snapshot contract accepts them. */
export const nodeNameSchema = z
  .string()
  .max(253, 'a node name has at most 253 characters')
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'not a valid node name (lower-case letters, digits, "-" and ".")');

const instant = (label: string) =>
  z
    .string()
    .max(40, `${label} is too long`)
    .transform((value, ctx) => {
      const date = parseInstant(value);
      if (!date) {
        ctx.addIssue({ code: 'custom', message: `${label} is not a date and time (use YYYY-MM-DDTHH:mm:ss, UTC)` });
        return z.NEVER;
      }
      return date;
    });

const cursor = z.string().max(512, 'the page cursor is too long').regex(/^[A-Za-z0-9+/=_:.-]+$/, 'not a page cursor');
const windowId = z.enum(WINDOWS.map((w) => w.id) as [WindowId, ...WindowId[]]);

function fieldErrors<K extends string>(error: z.ZodError): FieldErrors<K> {
  const errors: FieldErrors<K> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form') as K;
    errors[key] ??= issue.message;
  }
  return errors;
}

// --- overview ---------------------------------------------------------------------------------

/** The columns the API sorts by (nodes(orderBy)); data gaps are shown but not sortable. */
export const NODE_SORT_KEYS = ['name', 'status', 'lastSeen', 'findings', 'changes'] as const;
export type NodeSortKey = (typeof NODE_SORT_KEYS)[number];
export const PAGE_SIZES = [25, 50, 100, 200] as const;
/** The open-findings filter: any node, only nodes with an open finding, only nodes without. */
export const FINDINGS_FILTERS = ['any', 'open', 'none'] as const;

const overviewSchema = z.object({
  q: z.string().max(253, 'the filter has at most 253 characters').optional(),
  status: z.enum(['all', 'REPORTING', 'SILENT']).default('all'),
  findings: z.enum(FINDINGS_FILTERS).default('any'),
  sort: z.enum(NODE_SORT_KEYS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  after: cursor.optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  size: z.coerce
    .number()
    .int()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n), `page size is one of ${PAGE_SIZES.join(', ')}`)
    .default(50),
});
export type OverviewParams = z.output<typeof overviewSchema>;

export function parseOverviewParams(raw: RawSearchParams): { params: OverviewParams; errors: FieldErrors<keyof OverviewParams> } {
  const input = Object.fromEntries(['q', 'status', 'findings', 'sort', 'dir', 'after', 'offset', 'size'].map((k) => [k, first(raw, k)]));
  const parsed = overviewSchema.safeParse(input);
  if (parsed.success) return { params: parsed.data, errors: {} };
  // Keep what is valid, default the rest.
  const errors = fieldErrors<keyof OverviewParams>(parsed.error);
  const cleaned = Object.fromEntries(Object.entries(input).filter(([k]) => !(k in errors)));
  return { params: overviewSchema.parse(cleaned), errors };
}

// --- node -------------------------------------------------------------------------------------

export const NODE_TABS = ['routes', 'neighbors', 'links', 'addresses', 'sysctls', 'pods'] as const;
export type NodeTab = (typeof NODE_TABS)[number];

const nodeSchema = z.object({
  at: instant('“show state at”').optional(),
  window: windowId.default('24h'),
  tab: z.enum(NODE_TABS).default('routes'),
});
export type NodeParams = z.output<typeof nodeSchema>;

export function parseNodeParams(raw: RawSearchParams, now: Date): { params: NodeParams; errors: FieldErrors<keyof NodeParams> } {
  const input = { at: first(raw, 'at'), window: first(raw, 'window'), tab: first(raw, 'tab') };
  const parsed = nodeSchema.safeParse(input);
  const result = parsed.success
    ? { params: parsed.data, errors: {} as FieldErrors<keyof NodeParams> }
    : (() => {
        const errors = fieldErrors<keyof NodeParams>(parsed.error);
        const cleaned = Object.fromEntries(Object.entries(input).filter(([k]) => !(k in errors)));
        return { params: nodeSchema.parse(cleaned), errors };
      })();
  if (result.params.at && result.params.at.getTime() > now.getTime()) {
    result.errors.at = '“show state at” is in the future; showing the current state';
    result.params.at = undefined;
  }
  return result;
}

// --- diff -------------------------------------------------------------------------------------

export type DiffParams =
  | { mode: 'TIME'; from: Date; to: Date; range?: string }
  | { mode: 'NODES'; otherNode: string; at: Date };
type DiffField = 'from' | 'to' | 'other' | 'at' | 'range';

const diffSchema = z
  .object({
    from: instant('“from”').optional(),
    to: instant('“to”').optional(),
    range: z.enum(QUICK_RANGES.map((r) => r.id) as [string, ...string[]]).optional(),
    other: nodeNameSchema.optional(),
    at: instant('“at”').optional(),
  })
  .superRefine((value, ctx) => {
    if (value.from && value.to && value.from.getTime() >= value.to.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: '“to” must be after “from”' });
    }
  });

/** Defaults: the last hour; `range` (quick range) is resolved against `now` by the page, which then redirects to absolute times. */
export function parseDiffParams(raw: RawSearchParams, node: string, now: Date): { params: DiffParams; errors: FieldErrors<DiffField> } {
  const input = { from: first(raw, 'from'), to: first(raw, 'to'), range: first(raw, 'range'), other: first(raw, 'other'), at: first(raw, 'at') };
  const parsed = diffSchema.safeParse(input);
  const errors: FieldErrors<DiffField> = parsed.success ? {} : fieldErrors<DiffField>(parsed.error);
  const value = parsed.success ? parsed.data : diffSchema.safeParse(Object.fromEntries(Object.entries(input).filter(([k]) => !(k in errors)))).data ?? {};
  if (value.other) {
    if (value.other === node) errors.other = 'pick another node than this one';
    else return { params: { mode: 'NODES', otherNode: value.other, at: value.at ?? now }, errors };
  }
  const to = value.to ?? now;
  const from = value.from && value.from.getTime() < to.getTime() ? value.from : new Date(to.getTime() - HOUR);
  return { params: { mode: 'TIME', from, to, range: value.range }, errors };
}

// --- review -----------------------------------------------------------------------------------

export const REVIEW_MAX_WINDOW_MS = 31 * DAY;
type ReviewField = 'from' | 'to' | 'after' | 'range';

const reviewSchema = z
  .object({
    from: instant('“from”').optional(),
    to: instant('“to”').optional(),
    range: z.enum(QUICK_RANGES.map((r) => r.id) as [string, ...string[]]).optional(),
    after: cursor.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.from && value.to) {
      if (value.from.getTime() >= value.to.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: '“to” must be after “from”' });
      else if (value.to.getTime() - value.from.getTime() > REVIEW_MAX_WINDOW_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: 'the window is at most 31 days' });
    }
  });

export interface ReviewParams {
  from: Date;
  to: Date;
  range?: string;
  after?: string;
}

export function parseReviewParams(raw: RawSearchParams, now: Date): { params: ReviewParams; errors: FieldErrors<ReviewField> } {
  const input = { from: first(raw, 'from'), to: first(raw, 'to'), range: first(raw, 'range'), after: first(raw, 'after') };
  const parsed = reviewSchema.safeParse(input);
  const errors: FieldErrors<ReviewField> = parsed.success ? {} : fieldErrors<ReviewField>(parsed.error);
  const value = parsed.success ? parsed.data : reviewSchema.safeParse(Object.fromEntries(Object.entries(input).filter(([k]) => !(k in errors) && k !== 'to' && k !== 'from'))).data ?? {};
  const to = value.to ?? now;
  const from = value.from ?? new Date(to.getTime() - HOUR);
  return { params: { from, to, range: value.range, after: value.after }, errors };
}
