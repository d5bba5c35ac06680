import type { Snapshot } from '@routescope/snapshot';
import type { ApiTokens } from '../support/api-process';

/**
 * One hostile or malformed request and what the API must answer. The bad-input suite
 * (bad-input.e2e.spec.ts) runs every case against the built API on PostgreSQL and checks, for
 * each: the status, the error shape (`error`, `message`, and the path of the bad field in
 * `details`), that no row changed (unless `stores`), and that the process still answers.
 *
 * To add cases: put them in an array in a `<area>.cases.ts` file of this folder and list that
 * array in bad-input-cases.ts. Each case gets a node name of its own (ctx.node).
 */
export interface BadInputCase {
  name: string;
  /** Requests that must succeed before the counted one (e.g. another node that owns an id). */
  setup?: (ctx: CaseContext) => Promise<void>;
  request: (ctx: CaseContext) => CaseRequest;
  expect: CaseExpectation;
}

export interface CaseRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** default /api/v1/snapshots */
  path?: string;
  /** default application/json; null sends none */
  contentType?: string | null;
  /** which token to send (default ingest); null sends no Authorization header; a string is sent as is */
  token?: keyof ApiTokens | null | { raw: string };
  /** sent as JSON (JSON.stringify) */
  json?: unknown;
  /** sent as it is (wins over json) */
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface CaseExpectation {
  status: number;
  /** the body's `error` code, e.g. INVALID_SNAPSHOT */
  error?: string;
  /** a `details[].path` the answer must name, e.g. `namespaces[0].sysctls[1].path` ('' = the document) */
  path?: string;
  /** matched against `message` (and, with path, the message of that detail) */
  message?: RegExp;
  /** the request stores something (the row counts grow); default false: nothing changes */
  stores?: boolean;
}

export interface CaseContext {
  /** a node name that no other case uses */
  readonly node: string;
  readonly tokens: ApiTokens;
  /**
   * A valid snapshot of `node` (or options.node), taken a little later than the previous one
   * this context made, so setup snapshots and the counted one are in order.
   */
  snapshot(options?: { node?: string; proxyArp?: string }): Snapshot;
  /** Posts a snapshot that must be accepted (2xx), for setup. */
  accept(snapshot: Snapshot): Promise<void>;
  /** Values a setup leaves for its request (e.g. the id another node owns). */
  readonly vars: Map<string, unknown>;
}

/** A valid snapshot with one change made to it, as a plain JSON value a case can break freely. */
export function broken(ctx: CaseContext, change: (s: MutableSnapshot) => void): MutableSnapshot {
  const s = structuredClone(ctx.snapshot()) as unknown as MutableSnapshot;
  change(s);
  return s;
}

/** A snapshot as untyped JSON: cases put wrong types anywhere. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MutableSnapshot = Record<string, any>;
