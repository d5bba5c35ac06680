'use client';

import { useEffect } from 'react';

/**
 * Last resort for unexpected failures (API problems are shown in place by each page). The one
 * error boundary of the dashboard: errors of nested segments bubble up to it, and with the root
 * layout the only layout, a boundary per segment would render exactly the same.
 */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <section className="notice bad" role="alert">
      <h1 style={{ fontSize: '1.15rem' }}>Something went wrong on the dashboard.</h1>
      <p>The page could not be rendered. The dashboard server’s log has the details{digest ? ` (reference ${digest})` : ''}.</p>
      <p>
        <button type="button" onClick={() => retry()}>
          Try again
        </button>
      </p>
    </section>
  );
}
