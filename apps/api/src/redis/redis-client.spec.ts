import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { loadApiConfig } from '../config/api-config';
import { RedisClient } from './redis-client';

// rediss://: the API talks TLS to Redis. A local TLS server with a self-signed certificate made
// here (openssl) stands in for a managed Redis; it answers the few commands a client sends.

describe('RedisClient over TLS (rediss://)', () => {
  let dir: string;
  let cert: Buffer;
  let server: Server;
  let port: number;
  const handshakes: Array<{ servername: string | false }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rs-redis-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'));
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (socket: TLSSocket) => {
      handshakes.push({ servername: (socket as TLSSocket & { servername: string | false }).servername });
      socket.on('data', (chunk: Buffer) => {
        // Commands arrive as RESP arrays; the command name is the first bulk string.
        for (const name of [...chunk.toString('utf8').matchAll(/^\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/gm)].map((m) => m[1].toUpperCase())) {
          if (name === 'INFO') {
            const info = 'redis_version:7.0.0\r\nloading:0\r\n';
            socket.write(`$${Buffer.byteLength(info)}\r\n${info}\r\n`);
          } else if (name === 'PING') socket.write('+PONG\r\n');
          else socket.write('+OK\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is accepted by the API configuration, and redis://, while another scheme is refused by name', () => {
    expect(loadApiConfig({ ROUTESCOPE_REDIS_URL: `rediss://localhost:${port}` }).redisUrl).toBe(`rediss://localhost:${port}`);
    expect(loadApiConfig({ ROUTESCOPE_REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(() => loadApiConfig({ ROUTESCOPE_REDIS_URL: 'tcp://localhost:6379' })).toThrow(/ROUTESCOPE_REDIS_URL: must be a redis:\/\/ or rediss:\/\/ \(TLS\) URL/);
  });

  it('connects with TLS, naming the host, and gets answers over it', async () => {
    const before = handshakes.length;
    const client = new RedisClient({ url: `rediss://localhost:${port}`, tls: { ca: [cert] } });
    try {
      expect(await client.command(['PING'])).toBe('PONG');
      expect(handshakes.slice(before)).toEqual([{ servername: 'localhost' }]);
    } finally {
      await client.close();
    }
  });

  it('refuses a server whose certificate it does not trust', async () => {
    const errors: Error[] = [];
    const client = new RedisClient({ url: `rediss://localhost:${port}`, onError: (error) => errors.push(error) });
    try {
      await expect(client.command(['PING'])).rejects.toThrow();
      expect(errors.some((error) => /self[- ]signed/i.test(error.message))).toBe(true);
    } finally {
      await client.close();
    }
  });
});
