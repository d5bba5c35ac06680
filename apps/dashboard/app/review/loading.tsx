export default function Loading() {
  return (
    <div aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading the review…
      </p>
      <div className="skeleton" style={{ height: '2rem', width: '16rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '7rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '14rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '20rem' }} />
    </div>
  );
}
