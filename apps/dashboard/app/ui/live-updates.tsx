'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

type LiveState = 'connecting' | 'live' | 'reconnecting' | 'unavailable' | 'paused';

const MIN_REFRESH_INTERVAL_MS = 2000;

/**
 * Keeps a page current: listens to /api/live (Server-Sent Events, proxied server-side from the
 * API's GraphQL subscriptions) and re-renders the page's server components with router.refresh(),
 * at most every 2 s, and once each time the upstream subscriptions connect (so nothing that
 * happened before they listened is missed). The browser never holds the API token.
 */
export function LiveUpdates({ node }: { node?: string }) {
  const router = useRouter();
  const [state, setState] = useState<LiveState>('connecting');
  const [reason, setReason] = useState<string | undefined>();
  const [lastEvent, setLastEvent] = useState<string | undefined>();
  const [paused, setPaused] = useState(false);
  const pending = useRef(false);

  useEffect(() => {
    if (paused) {
      setState('paused');
      return undefined;
    }
    setState('connecting');
    const source = new EventSource(node ? `/api/live?node=${encodeURIComponent(node)}` : '/api/live');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = () => {
      if (timer) {
        pending.current = true;
        return;
      }
      router.refresh();
      timer = setTimeout(() => {
        timer = undefined;
        if (pending.current) {
          pending.current = false;
          refresh();
        }
      }, MIN_REFRESH_INTERVAL_MS);
    };
    const onData = (event: MessageEvent<string>) => {
      try {
        const data = JSON.parse(event.data) as { type?: string; node?: string; at?: string; change?: string; rule?: string; state?: string };
        const when = `${data.at?.slice(11, 19) ?? ''} UTC`;
        if (data.type === 'probe') setLastEvent(`probe ${data.state?.toLowerCase().replace(/_/g, ' ') ?? ''} on ${data.node ?? ''}`);
        else if (data.type === 'finding') setLastEvent(`finding ${data.rule ?? ''} ${data.change === 'RESOLVED' ? 'resolved' : 'opened'} on ${data.node ?? ''} at ${when}`);
        else if (data.node) setLastEvent(`change on ${data.node} at ${when}`);
      } catch {
        // a malformed event still means "something changed"
      }
      refresh();
    };
    // 'ready' is the stream opening; 'live' waits for the API side (the hub's `upstream` event, sent at
    // once when it is already connected): a hub starting afresh is not yet subscribed when 'ready' comes.
    source.addEventListener('ready', () => setState((s) => (s === 'unavailable' || s === 'live' ? s : 'connecting')));
    source.addEventListener('change', onData as EventListener);
    source.addEventListener('finding', onData as EventListener);
    source.addEventListener('probe', onData as EventListener);
    source.addEventListener('upstream', ((event: MessageEvent<string>) => {
      const data = JSON.parse(event.data) as { state: string; reason?: string };
      setReason(data.reason);
      setState(data.state === 'connected' ? 'live' : data.state === 'unavailable' ? 'unavailable' : 'reconnecting');
      // Subscribed first, then read: what happened before the subscriptions were live (a probe
      // result posted while this page loaded, changes during a reconnect) sent no event here,
      // so the page reads the current state again once they are.
      if (data.state === 'connected') refresh();
    }) as EventListener);
    source.onerror = () => setState('reconnecting');
    return () => {
      source.close();
      clearTimeout(timer);
    };
  }, [node, paused, router]);

  const text: Record<LiveState, string> = {
    connecting: 'Connecting to live updates…',
    live: lastEvent ? `Live · last: ${lastEvent}` : 'Live',
    reconnecting: 'Live updates reconnecting…',
    unavailable: `Live updates unavailable${reason ? `: ${reason}` : ''}`,
    paused: 'Live updates paused',
  };
  return (
    <div className="live" data-state={state}>
      <span className="live-dot" aria-hidden="true" />
      <span role="status" aria-live="polite">
        {text[state]}
      </span>
      <button type="button" className="secondary" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
        {paused ? 'Resume' : 'Pause'}
      </button>
    </div>
  );
}
