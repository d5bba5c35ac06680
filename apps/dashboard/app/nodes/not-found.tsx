import Link from 'next/link';

export default function NodeNotFound() {
  return (
    <section className="card" role="status">
      <h1>Node not found</h1>
      <p>No node with this name has ever posted a snapshot to Routescope.</p>
      <p>
        <Link href="/">Back to the overview</Link> to see the nodes that did.
      </p>
    </section>
  );
}
