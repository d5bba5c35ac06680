import { dashboardConfig } from '../../lib/config';
import { liveHub, type LiveEvent } from '../../lib/live-hub';
import { requestAuth } from '../../lib/request-auth';
import { nodeNameSchema } from '../../lib/search-params';

// GET /api/live[?node=NAME]: Server-Sent Events for the browser. The dashboard server holds the
// GraphQL subscription (with the signed-in user's token); the browser receives node names, times
// and counts and re-renders the page with router.refresh().

export const dynamic = 'force-dynamic';

const HEARTBEAT_MS = 20_000;

export async function GET(request: Request): Promise<Response> {
  const nodeParam = new URL(request.url).searchParams.get('node');
  const node = nodeParam === null ? undefined : nodeNameSchema.safeParse(nodeParam);
  if (node && !node.success) return Response.json({ error: node.error.issues[0]?.message ?? 'invalid node' }, { status: 400 });
  const auth = await requestAuth().catch(() => undefined);
  if (!auth) return Response.json({ error: 'UNAUTHENTICATED', message: 'sign in first (/sign-in)' }, { status: 401 });
  const hub = liveHub(auth.token, auth.via === 'proxy' ? `the dashboard’s read token; check ${dashboardConfig().tokenSource}` : 'the token you signed in with; sign in again');

  const encoder = new TextEncoder();
  let cleanup = () => undefined as void;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const send = (event: LiveEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      write(`retry: 5000\nevent: ready\ndata: {}\n\n`);
      const unlisten = hub.listen({ node: node?.data, send });
      const heartbeat = setInterval(() => write(`: keep-alive\n\n`), HEARTBEAT_MS);
      cleanup = () => {
        clearInterval(heartbeat);
        unlisten();
        cleanup = () => undefined;
      };
      request.signal.addEventListener('abort', () => {
        cleanup();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
