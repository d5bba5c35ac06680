'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface StateTab {
  id: string;
  label: string;
  count?: number;
  panel: ReactNode;
}

/** WAI-ARIA tabs (arrow keys, Home, End); the selected tab is kept in the URL (`?tab=`) for permalinks. */
export function StateTabs({ tabs, initial, label }: { tabs: StateTab[]; initial: string; label: string }) {
  const [selected, setSelected] = useState(tabs.some((t) => t.id === initial) ? initial : tabs[0]?.id);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const router = useRouter();

  function select(id: string, focus: boolean) {
    setSelected(id);
    if (focus) refs.current[id]?.focus();
    const url = new URL(window.location.href);
    url.searchParams.set('tab', id);
    // Through the router, not history.replaceState: a router.refresh() (LiveUpdates) still in
    // flight would otherwise commit the router's older URL afterwards and drop `tab`.
    router.replace(`${url.pathname}${url.search}${url.hash}`, { scroll: false });
  }

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const last = tabs.length - 1;
    const target = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (target === undefined) return;
    const tab = tabs[target];
    if (!tab) return;
    event.preventDefault();
    select(tab.id, true);
  }

  return (
    <div className="tabs">
      <div role="tablist" aria-label={label}>
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            ref={(el) => {
              refs.current[tab.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={selected === tab.id}
            aria-controls={`panel-${tab.id}`}
            tabIndex={selected === tab.id ? 0 : -1}
            onClick={() => select(tab.id, false)}
            onKeyDown={(e) => onKeyDown(e, index)}
          >
            {tab.label} {tab.count !== undefined ? <span className="tab-count">{tab.count}</span> : null}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div key={tab.id} role="tabpanel" id={`panel-${tab.id}`} aria-labelledby={`tab-${tab.id}`} hidden={selected !== tab.id} tabIndex={0}>
          {tab.panel}
        </div>
      ))}
    </div>
  );
}
