// What went wrong talking to the Routescope API, in words an SRE can act on. Pages render these
// in place (a thrown error would reach the browser as an opaque digest in production).

export type ApiProblemKind = 'unreachable' | 'timeout' | 'no-token' | 'unauthenticated' | 'forbidden' | 'not-found' | 'bad-input' | 'api-error';

export interface ApiProblem {
  kind: ApiProblemKind;
  /** one line: what happened */
  title: string;
  /** what to check or do */
  detail: string;
  /** the API's `extensions.code`, when it answered */
  code?: string;
}

export class ApiProblemError extends Error {
  constructor(readonly problem: ApiProblem) {
    super(`${problem.title} ${problem.detail}`);
    this.name = 'ApiProblemError';
  }
}

export type Loaded<T> = { ok: true; data: T } | { ok: false; problem: ApiProblem };
