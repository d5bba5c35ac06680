export type DeliveryOutcome =
  | { kind: 'delivered'; status: number; detail: string }
  /** the server will never accept this snapshot (invalid, too large, older than the node's latest). */
  | { kind: 'rejected'; status: number; detail: string }
  /** worth trying again later: the server is down, overloaded, or refuses our token for now. */
  | { kind: 'retry'; status?: number; detail: string };

const PERMANENT_REJECTIONS = new Set([400, 409, 413, 422]);

/** Posts snapshots to the Routescope API (`POST /api/v1/snapshots`). */
export class SnapshotSender {
  readonly url: string;

  constructor(
    server: string,
    private readonly token: string,
    private readonly timeoutMs = 15000,
  ) {
    this.url = new URL('/api/v1/snapshots', server).toString();
  }

  async send(body: string): Promise<DeliveryOutcome> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { kind: 'retry', detail: cause ?? (error as Error).message };
    }
    const detail = (await response.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ');
    if (response.ok) return { kind: 'delivered', status: response.status, detail };
    if (PERMANENT_REJECTIONS.has(response.status)) return { kind: 'rejected', status: response.status, detail };
    return { kind: 'retry', status: response.status, detail };
  }
}
