import 'server-only';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { dashboardConfig } from './config';
import { FindingChangedSubscription } from './operations/findings.operations';
import { ChangesRecordedSubscription } from './operations/live.operations';
import { ProbeUpdatedSubscription } from './operations/probes.operations';

// One upstream graphql-ws connection per token in use (each signed-in token, or the dashboard's
// own behind a trusted proxy), fanned out to every browser that listens with that token through
// /api/live (Server-Sent Events); it closes when its last listener leaves. Browsers only ever
// see the events below: node names, times and counts.

export type LiveEvent =
  | { type: 'change'; node: string; at: string; changes: number }
  | { type: 'finding'; node: string; at: string; change: string; rule: string; severity: string }
  | { type: 'probe'; node: string; id: string; state: string }
  | { type: 'upstream'; state: 'connected' | 'reconnecting' | 'unavailable'; reason?: string };

interface Listener {
  node?: string;
  send(event: LiveEvent): void;
}

interface Upstream {
  query: string;
  eventType: 'change' | 'finding' | 'probe';
  toEvent(data: unknown): LiveEvent | undefined;
}

const RESUBSCRIBE_MS = 10_000;

class LiveHub {
  private readonly listeners = new Set<Listener>();
  private client: Client | undefined;
  private readonly stops: Array<() => void> = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private lastState: LiveEvent | undefined;

  constructor(
    private readonly upstreams: readonly Upstream[],
    private readonly token: string,
    /** where the token comes from, for messages (never the token) */
    private readonly tokenSource: string,
    private readonly onIdle: () => void,
  ) {}

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.lastState) listener.send(this.lastState);
    if (this.listeners.size === 1) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.stop();
        this.onIdle();
      }
    };
  }

  private broadcast(event: LiveEvent): void {
    if (event.type === 'upstream') this.lastState = event;
    for (const listener of this.listeners) {
      if (event.type !== 'upstream' && listener.node && listener.node !== event.node) continue;
      listener.send(event);
    }
  }

  private start(): void {
    let config: ReturnType<typeof dashboardConfig>;
    try {
      config = dashboardConfig();
    } catch (error) {
      this.broadcast({ type: 'upstream', state: 'unavailable', reason: (error as Error).message });
      this.retryTimer = setTimeout(() => this.restart(), RESUBSCRIBE_MS);
      return;
    }
    this.client = createClient({
      url: config.websocketUrl,
      webSocketImpl: WebSocket,
      lazy: true,
      connectionParams: () => ({ authorization: `Bearer ${this.token}` }),
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * 2 ** Math.min(retries, 5)))),
      on: {
        connected: () => this.broadcast({ type: 'upstream', state: 'connected' }),
        closed: (event) => {
          if (this.listeners.size === 0) return;
          const code = (event as { code?: number } | undefined)?.code ?? 0;
          // graphql-ws closes with 4401/4403 when the API refuses the token in connection_init.
          if (code >= 4400 && code < 4500) {
            this.broadcast({ type: 'upstream', state: 'unavailable', reason: `the API refused ${this.tokenSource} (${code})` });
          } else {
            this.broadcast({ type: 'upstream', state: 'reconnecting', reason: `no connection to ${config.apiUrl}` });
          }
        },
      },
    });
    for (const upstream of this.upstreams) this.subscribe(this.client, upstream);
  }

  private subscribe(client: Client, upstream: Upstream): void {
    const stop = client.subscribe<Record<string, unknown>>(
      { query: upstream.query, variables: { node: null } },
      {
        next: (result) => {
          if (result.errors?.length) return this.failed(result.errors[0]?.message ?? 'subscription error');
          const event = result.data ? upstream.toEvent(result.data) : undefined;
          if (event) this.broadcast(event);
        },
        error: (error) => this.failed(Array.isArray(error) ? String((error[0] as { message?: string })?.message) : error instanceof Error ? error.message : 'subscription failed'),
        complete: () => undefined,
      },
    );
    this.stops.push(stop);
  }

  /** The API refused the subscription (token, scope): say so, and try again later. */
  private failed(reason: string): void {
    this.broadcast({ type: 'upstream', state: 'unavailable', reason });
    if (!this.retryTimer) this.retryTimer = setTimeout(() => this.restart(), RESUBSCRIBE_MS);
  }

  private restart(): void {
    this.stop();
    if (this.listeners.size > 0) this.start();
  }

  private stop(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const stop of this.stops.splice(0)) stop();
    void this.client?.dispose();
    this.client = undefined;
    this.lastState = undefined;
  }
}

const upstreams: Upstream[] = [
  {
    query: print(ChangesRecordedSubscription),
    eventType: 'change',
    toEvent: (data) => {
      const event = (data as { changesRecorded?: { node: string; takenAt: string; changes: number } }).changesRecorded;
      return event ? { type: 'change', node: event.node, at: event.takenAt, changes: event.changes } : undefined;
    },
  },
  {
    query: print(FindingChangedSubscription),
    eventType: 'finding',
    toEvent: (data) => {
      const event = (data as { findingChanged?: { node: string; at: string; change: string; rule: string; severity: string } }).findingChanged;
      return event ? { type: 'finding', node: event.node, at: event.at, change: event.change, rule: event.rule, severity: event.severity } : undefined;
    },
  },
  {
    query: print(ProbeUpdatedSubscription),
    eventType: 'probe',
    toEvent: (data) => {
      const event = (data as { probeUpdated?: { id: string; node: string; state: string } | null }).probeUpdated;
      return event ? { type: 'probe', node: event.node, id: event.id, state: event.state } : undefined;
    },
  },
];

// The hubs of this server process by token, kept across module re-evaluation.
const globalHubs = globalThis as unknown as { routescopeLiveHubs?: Map<string, LiveHub> };
export function liveHub(token: string, tokenSource: string): LiveHub {
  const hubs = (globalHubs.routescopeLiveHubs ??= new Map());
  let hub = hubs.get(token);
  if (!hub) {
    hub = new LiveHub(upstreams, token, tokenSource, () => hubs.delete(token));
    hubs.set(token, hub);
  }
  return hub;
}
