import { createServer } from 'node:net';
import { freePort, until } from './index';

describe('freePort', () => {
  it('gives a port a server can listen on at once', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    expect(server.address()).toMatchObject({ port });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('until', () => {
  it('returns the first value the probe gives, retrying through undefined and errors', async () => {
    let calls = 0;
    const value = await until(
      'the third call',
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls === 3 ? 'ready' : undefined;
      },
      5_000,
      1,
    );
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('fails after the deadline, naming what it waited for and the last error', async () => {
    const error = await until('a value that never comes', () => Promise.reject(new Error('still down')), 30, 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('timed out after 30 ms waiting for a value that never comes');
    expect(((error as Error).cause as Error).message).toBe('still down');
  });
});
