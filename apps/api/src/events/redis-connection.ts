import { connect, type Socket } from 'node:net';

/**
 * A minimal Redis client (RESP2 over TCP) for what cross-replica events need: PUBLISH on one
 * connection, SUBSCRIBE/UNSUBSCRIBE and pushed messages on another. It reconnects with backoff
 * and re-subscribes; commands issued while disconnected wait for the connection. Small on
 * purpose: the API needs no other Redis feature (a full client such as ioredis can replace it
 * behind RedisPubSub without touching anything else).
 */
export type RespValue = string | number | null | RespValue[] | Error;

interface Pending {
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

export interface RedisConnectionOptions {
  url: string;
  /** pushed pub/sub messages (`message`, channel, payload) */
  onMessage?: (channel: string, payload: string) => void;
  /** runs after every (re)connection, before queued commands (AUTH is done): re-SUBSCRIBE with `send` */
  onConnect?: (send: (args: readonly (string | number)[]) => Promise<RespValue>) => Promise<void>;
  onError?: (error: Error) => void;
}

export class RedisConnection {
  private socket?: Socket;
  private ready?: Promise<void>;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closed = false;
  private backoffMs = 100;
  private readonly target: { host: string; port: number; password?: string; username?: string };

  constructor(private readonly options: RedisConnectionOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'redis:') throw new Error(`unsupported Redis URL ${url.protocol}//… (only redis://)`);
    this.target = {
      host: url.hostname || '127.0.0.1',
      port: Number(url.port || 6379),
      password: url.password ? decodeURIComponent(url.password) : undefined,
      username: url.username ? decodeURIComponent(url.username) : undefined,
    };
  }

  /** Sends one command and resolves with its reply (a Redis error rejects). */
  async command(args: readonly (string | number)[]): Promise<RespValue> {
    if (this.closed) throw new Error('redis connection closed');
    await this.connect();
    return this.send(args);
  }

  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    this.socket = undefined;
    this.failPending(new Error('redis connection closed'));
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 500).unref();
      });
    }
  }

  /** Connects once; concurrent callers share the attempt. */
  connect(): Promise<void> {
    this.ready ??= this.open().catch((error: Error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async open(): Promise<void> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: this.target.host, port: this.target.port });
      s.setNoDelay(true);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.options.onError?.(error));
    socket.on('close', () => this.lost(socket));
    if (this.target.password) {
      await this.send(this.target.username ? ['AUTH', this.target.username, this.target.password] : ['AUTH', this.target.password]);
    }
    await this.options.onConnect?.((args) => this.send(args));
    this.backoffMs = 100;
  }

  private lost(socket: Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.ready = undefined;
    this.failPending(new Error('redis connection lost'));
    if (this.closed) return;
    // Reconnect in the background (a subscriber must come back on its own); commands also reconnect on demand.
    const delay = this.backoffMs;
    this.backoffMs = Math.min(5000, this.backoffMs * 2);
    setTimeout(() => {
      if (!this.closed && !this.ready) this.connect().catch((error: Error) => this.options.onError?.(error));
    }, delay).unref();
  }

  private send(args: readonly (string | number)[]): Promise<RespValue> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error('redis not connected'));
    let frame = `*${args.length}\r\n`;
    const parts: Buffer[] = [];
    for (const arg of args) {
      const bytes = Buffer.from(String(arg), 'utf8');
      frame += `$${bytes.length}\r\n`;
      parts.push(Buffer.from(frame, 'utf8'), bytes, Buffer.from('\r\n'));
      frame = '';
    }
    if (frame) parts.unshift(Buffer.from(frame));
    return new Promise<RespValue>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      socket.write(Buffer.concat(parts));
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const parsed = parseResp(this.buffer, 0);
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.end);
      this.dispatch(parsed.value);
    }
  }

  private dispatch(value: RespValue): void {
    if (Array.isArray(value) && value[0] === 'message' && typeof value[1] === 'string' && typeof value[2] === 'string') {
      this.options.onMessage?.(value[1], value[2]);
      return;
    }
    const waiter = this.pending.shift();
    if (!waiter) return;
    if (value instanceof Error) waiter.reject(value);
    else waiter.resolve(value);
  }

  private failPending(error: Error): void {
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
  }
}

/** Parses one RESP2 value at `offset`; undefined when the buffer does not hold all of it yet. */
export function parseResp(buffer: Buffer, offset: number): { value: RespValue; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < length; i++) {
        const item = parseResp(buffer, at);
        if (!item) return undefined;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}
