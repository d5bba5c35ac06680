export function Pagination({ offset, shown, total, firstHref, nextHref, noun }: { offset: number; shown: number; total: number; firstHref?: string; nextHref?: string; noun: string }) {
  return (
    <nav className="pagination" aria-label={`${noun} pages`}>
      <span className="count">
        {shown === 0 ? `0 of ${total}` : `${offset + 1}–${offset + shown} of ${total}`} {noun}
      </span>
      {firstHref ? (
        <a className="button secondary" href={firstHref}>
          ← First page
        </a>
      ) : null}
      {nextHref ? (
        <a className="button secondary" href={nextHref} rel="next">
          Next page →
        </a>
      ) : null}
    </nav>
  );
}
