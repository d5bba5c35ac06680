import Link from 'next/link';

export default function ProbeNotFound() {
  return (
    <>
      <h1>No such probe</h1>
      <p>
        The API knows no probe with this id. Probes are started from a node’s pod list (<Link href="/">nodes</Link>).
      </p>
    </>
  );
}
