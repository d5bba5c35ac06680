'use client';

import { useId, useRef, useState, type ReactNode } from 'react';

/**
 * A filter box over the server-rendered table(s) it wraps: rows whose text does not contain every
 * typed word are hidden (nothing is refetched; the state at T stays what the server rendered).
 */
export function TableFilter({ label, children }: { label: string; children: ReactNode }) {
  const id = useId();
  const container = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState<{ visible: number; total: number } | undefined>(undefined);

  function apply(text: string) {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    const rows = container.current?.querySelectorAll<HTMLElement>('tbody tr, li[data-filterable]') ?? [];
    let visible = 0;
    for (const row of rows) {
      const match = words.every((w) => (row.textContent ?? '').toLowerCase().includes(w));
      row.hidden = !match;
      if (match) visible++;
    }
    setShown(words.length ? { visible, total: rows.length } : undefined);
  }

  return (
    <div>
      <div className="field table-filter">
        <label htmlFor={id}>{label}</label>
        <input id={id} type="search" placeholder="e.g. cali, 172.16.0.64, proxy_arp" onChange={(e) => apply(e.target.value)} />
        <span className="card-note" role="status" aria-live="polite">
          {shown ? `${shown.visible} of ${shown.total} rows match` : ''}
        </span>
      </div>
      <div ref={container}>{children}</div>
    </div>
  );
}
