import { CommandError } from './admin-errors';

const TIMEOUT_MS = 30000;

/** GraphQL over HTTP with an admin token; any error becomes one CommandError line. */
export class AdminApi {
  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.server}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const name = (error as { name?: string }).name;
      const reason = name === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new CommandError(`cannot reach the API at ${this.server} (${reason})`);
    }
    const text = await response.text();
    let body: { data?: T | null; errors?: Array<{ message?: string; extensions?: { code?: string; reason?: string } }> };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new CommandError(`${this.server}/graphql answered HTTP ${response.status} with something that is not GraphQL: ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
    }
    const first = body.errors?.[0];
    if (first) {
      const code = first.extensions?.reason ?? first.extensions?.code;
      throw new CommandError(`${(first.message ?? 'the API refused the request').replace(/\s+/g, ' ')}${code ? ` (${code})` : ''}`);
    }
    if (!body.data) throw new CommandError(`${this.server}/graphql answered HTTP ${response.status} without data`);
    return body.data;
  }
}
