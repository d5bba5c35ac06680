export default function Loading() {
  return (
    <div aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading the node…
      </p>
      <div className="skeleton" style={{ height: '2rem', width: '18rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '3rem', marginBottom: '1rem' }} />
      <div className="grid-2">
        <div className="skeleton" style={{ height: '16rem' }} />
        <div className="skeleton" style={{ height: '16rem' }} />
      </div>
      <div className="skeleton" style={{ height: '24rem', marginTop: '1rem' }} />
    </div>
  );
}
