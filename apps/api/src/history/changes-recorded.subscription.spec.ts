import type { FormattedExecutionResult } from 'graphql';
import type { Client } from 'graphql-ws';
import { testDatabaseKinds, hostNamespace, podNamespace, snapshot, startApiTestApp, type ApiTestApp } from '../../test/api-test-app';

// The changesRecorded subscription over graphql-ws, fed by real ingests.

interface ChangesRecordedData {
  changesRecorded: {
    node: string;
    snapshotId: string;
    takenAt: string;
    changes: number;
    stateVersion: number;
    factChanges: { edges: { node: { namespace: string; kind: string; key: string; change: string; after: { state?: string } | null } }[] };
  };
}

const SUBSCRIPTION = `subscription($node: String) {
  changesRecorded(node: $node) {
    node snapshotId takenAt changes stateVersion
    factChanges { edges { node { namespace kind key change after } } }
  }
}`;

const T0 = Date.parse('2025-04-01T00:00:00.000Z');

/** Collects a subscription's results and failure, to be awaited one at a time. */
function listen(client: Client, variables: Record<string, unknown>) {
  const received: FormattedExecutionResult<ChangesRecordedData, unknown>[] = [];
  let failure: unknown;
  let wake: (() => void) | undefined;
  const stop = client.subscribe<ChangesRecordedData>(
    { query: SUBSCRIPTION, variables },
    {
      next: (result) => {
        received.push(result);
        wake?.();
      },
      error: (error) => {
        failure = error;
        wake?.();
      },
      complete: () => wake?.(),
    },
  );
  return {
    stop,
    received,
    /** Resolves when `count` results arrived or the subscription failed; rejects after `ms`. */
    async waitFor(count: number, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (received.length < count && failure === undefined) {
        if (Date.now() > deadline) throw new Error(`only ${received.length} of ${count} events within ${ms} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
    failure: () => failure,
  };
}

for (const kind of testDatabaseKinds()) {
  describe(`changesRecorded subscription [${kind}]`, () => {
    let api: ApiTestApp;
    let seq = 0;
    let clock = T0;
    const failing = new Map<string, boolean>();

    /** Ingests a snapshot of `node` whose pod neighbour alternates, so every one is a change. */
    async function ingestChange(node: string): Promise<string> {
      const veth = 'cali0000000000a';
      failing.set(node, !failing.get(node));
      const s = snapshot({
        node,
        takenAt: new Date((clock += 30000)).toISOString(),
        seq: seq++,
        bootId: `boot-${node}`,
        namespaces: [hostNamespace({ ip: '10.0.0.11', gateway: '10.0.0.1', veths: [[veth, '172.17.8.2']] }), podNamespace('cni-1', veth, '172.17.8.2', failing.get(node) ? 'FAILED' : 'REACHABLE')],
      });
      const result = await api.ingest(s);
      expect(['created', 'changed']).toContain(result.status);
      return s.snapshotId;
    }

    beforeAll(async () => {
      api = await startApiTestApp(kind);
    });

    afterAll(async () => {
      await api?.close();
    });

    it('delivers an event for each changing ingest of the node asked for, and none for other nodes', async () => {
      const subscription = listen(api.subscriptionClient(), { node: 'node-a' });
      // The server registers the subscription asynchronously: ingest until the first event shows it is live.
      const sent: string[] = [];
      for (let attempt = 0; attempt < 50 && subscription.received.length === 0; attempt++) {
        sent.push(await ingestChange('node-a'));
        await subscription.waitFor(1, 200).catch(() => undefined);
      }
      expect(subscription.failure()).toBeUndefined();
      expect(subscription.received.length).toBeGreaterThan(0);
      const first = subscription.received[0].data!.changesRecorded;
      expect(first.node).toBe('node-a');
      expect(sent).toContain(first.snapshotId);

      const already = subscription.received.length;
      await ingestChange('node-b');
      const expected = await ingestChange('node-a');
      await subscription.waitFor(already + 1);
      const event = subscription.received[already].data!.changesRecorded;
      expect(event).toMatchObject({ node: 'node-a', snapshotId: expected, changes: 1 });
      expect(event.factChanges.edges.map((e) => e.node)).toEqual([
        { namespace: 'pod:cni-1', kind: 'NEIGHBOR', key: 'eth0|169.254.1.1', change: 'CHANGED', after: expect.objectContaining({ state: expect.any(String) }) },
      ]);
      expect(subscription.received.slice(already).every((r) => r.data?.changesRecorded.node === 'node-a')).toBe(true);
      subscription.stop();
    });

    it('without a node argument every node\'s changes arrive', async () => {
      const subscription = listen(api.subscriptionClient(), {});
      const nodes = new Set<string>();
      for (let attempt = 0; attempt < 50 && !(nodes.has('node-a') && nodes.has('node-b')); attempt++) {
        await ingestChange(attempt % 2 ? 'node-a' : 'node-b');
        await subscription.waitFor(subscription.received.length + 1, 200).catch(() => undefined);
        for (const r of subscription.received) if (r.data) nodes.add(r.data.changesRecorded.node);
      }
      expect([...nodes].sort()).toEqual(['node-a', 'node-b']);
      subscription.stop();
    });

    it.each([
      ['no token', null],
      ['a token without the read scope', 'ingest'],
    ])('a connection with %s is refused (4403)', async (_label, which) => {
      const token = which === null ? null : api.tokens.ingest;
      const subscription = listen(api.subscriptionClient(token), {});
      await subscription.waitFor(1, 5000);
      expect(subscription.received).toEqual([]);
      expect(subscription.failure()).toMatchObject({ code: 4403 });
    });
  });
}
