// GET /api/healthz: the dashboard process is up (it does not call the API).
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' });
}
