'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

export interface StateScrubberProps {
  /** the state shown: an instant (UTC text) */
  label: string;
  prevHref?: string;
  prevAt?: string;
  nextHref?: string;
  nextAt?: string;
  nowHref?: string;
}

/** Keys typed into a field or on a tab list are theirs, not the scrubber's. */
function ownsArrowKeys(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.getAttribute('role') === 'tab' || target.closest('[role="tablist"]') !== null;
}

/**
 * Steps through the node's state versions: the previous and the next change (← and → on the
 * keyboard). Each step is a navigation to `?at=` that instant, so the state tables and the
 * findings open at that instant change together.
 */
export function StateScrubber({ label, prevHref, prevAt, nextHref, nextAt, nowHref }: StateScrubberProps) {
  const router = useRouter();
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || ownsArrowKeys(event.target)) return;
      const href = event.key === 'ArrowLeft' ? prevHref : event.key === 'ArrowRight' ? nextHref : undefined;
      if (!href) return;
      event.preventDefault();
      router.push(href, { scroll: false });
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router, prevHref, nextHref]);
  return (
    <nav className="scrubber" aria-label="State versions" data-testid="state-scrubber">
      {prevHref ? (
        <Link className="button secondary" href={prevHref} scroll={false} aria-keyshortcuts="ArrowLeft" title={prevAt ? `state at the previous change, ${prevAt}` : undefined}>
          ← Previous change
        </Link>
      ) : (
        <span className="button secondary" aria-disabled="true">
          ← No earlier change in the range
        </span>
      )}
      <span className="scrubber-at" aria-live="polite">
        {label}
      </span>
      {nextHref ? (
        <Link className="button secondary" href={nextHref} scroll={false} aria-keyshortcuts="ArrowRight" title={nextAt ? `state at the next change, ${nextAt}` : undefined}>
          Next change →
        </Link>
      ) : (
        <span className="button secondary" aria-disabled="true">
          No later change →
        </span>
      )}
      {nowHref ? (
        <Link className="button secondary" href={nowHref} scroll={false}>
          Now
        </Link>
      ) : null}
    </nav>
  );
}
