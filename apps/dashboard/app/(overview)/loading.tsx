export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="visually-hidden" role="status">
        Loading…
      </p>
      <div className="skeleton" style={{ height: '2rem', width: '14rem', marginBottom: '1rem' }} />
      <div className="grid-2">
        <div className="skeleton" style={{ height: '16rem' }} />
        <div className="skeleton" style={{ height: '16rem' }} />
      </div>
      <div className="skeleton" style={{ height: '20rem', marginTop: '1rem' }} />
    </div>
  );
}
