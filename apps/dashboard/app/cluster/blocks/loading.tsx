export default function Loading() {
  return (
    <div aria-busy="true">
      <p className="visually-hidden" role="status">
        Loading the block matrix…
      </p>
      <div className="skeleton" style={{ height: '2rem', width: '16rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '6rem', marginBottom: '1rem' }} />
      <div className="skeleton" style={{ height: '20rem' }} />
    </div>
  );
}
