export default function Loading() {
  return (
    <div aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading the diff…
      </p>
      <div className="skeleton" style={{ height: '2rem', width: '22rem', marginBottom: '1rem' }} />
      <div className="grid-2">
        <div className="skeleton" style={{ height: '8rem' }} />
        <div className="skeleton" style={{ height: '8rem' }} />
      </div>
      <div className="skeleton" style={{ height: '20rem', marginTop: '1rem' }} />
    </div>
  );
}
