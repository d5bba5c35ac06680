import type { ApiProblem } from '../lib/api-problem';

/** A failed API call, said plainly, with what to check; rendered in place of the data it concerns. */
export function ApiProblemPanel({ problem, retryHref, context }: { problem: ApiProblem; retryHref?: string; context?: string }) {
  return (
    <section className="notice bad" role="alert" aria-labelledby="api-problem-title">
      <h2 id="api-problem-title">{context ? `${context}: ${problem.title}` : problem.title}</h2>
      <p>{problem.detail}</p>
      {problem.code ? (
        <p className="card-note">
          Error code <code>{problem.code}</code>
        </p>
      ) : null}
      {retryHref ? (
        <p>
          <a className="button secondary" href={retryHref}>
            Try again
          </a>
        </p>
      ) : null}
    </section>
  );
}
