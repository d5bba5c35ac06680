export default function Loading() {
  return (
    <div aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading the probe…
      </p>
      <div className="skeleton" style={{ height: '2rem', width: '24rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '8rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '16rem' }} />
    </div>
  );
}
