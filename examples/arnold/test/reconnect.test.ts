// arnold-client reconnects with backoff: its connection runs through a TCP relay the test can cut (a socket
// drop), and later Arnold itself is stopped and started again on the same port and database (a server
// restart). Both times the client says it lost the connection, retries, and goes on answering.

import type { AddressInfo } from 'node:net';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Arnold, startArnold } from '../src/server.js';
import { killClients, runClient } from './cli-process.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const dbPath = join(tmp.dir, 'arnold.db');
let arnold: Arnold | undefined;
const sockets = new Set<Socket>();
const relay = createServer((inbound) => {
  const outbound = createConnection(arnold?.port ?? 1, '127.0.0.1');
  for (const s of [inbound, outbound]) {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => {
      sockets.delete(s);
      inbound.destroy();
      outbound.destroy();
    });
  }
  inbound.pipe(outbound).pipe(inbound);
});

const start = (port = 0) => startArnold({ port, dbPath, pacing: 'fast', log: () => {} });

beforeAll(async () => {
  arnold = await start();
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  killClients();
  relay.close();
  for (const s of sockets) s.destroy();
  await arnold?.close();
  tmp.remove();
});

describe('arnold-client reconnect', () => {
  it('comes back after a socket drop and after a server restart', { timeout: 120000 }, async () => {
    const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const run = runClient(url, ['--text']);
    await run.waitFor('stdout', /Connected \(text mode\)/);
    run.child.stdin.write('I just did 6 reps of row at 95 pounds\n');
    await run.waitFor('stdout', /arnold: Logged 6 reps of row at 95 pounds\./);

    // 1. The socket drops (no close frame).
    for (const s of sockets) s.destroy();
    await run.waitFor('stdout', /\(connection to Arnold lost; reconnecting in \d\.\d s, attempt 1\)/);
    await run.waitFor('stdout', /\(reconnected to Arnold\)/);
    run.child.stdin.write('show me my recent workouts\n');
    await run.waitFor('stdout', /arnold: Your recent workouts: 6 reps of row at 95 pounds/);

    // 2. The server goes away and comes back on the same port: attempts fail (backoff), then one succeeds.
    const { port } = arnold as Arnold;
    const before = run.stdout().length;
    await arnold?.close();
    arnold = undefined;
    await run.waitFor('stdout', /reconnect failed/);
    arnold = await start(port);
    await run.waitFor('stdout', /\(reconnected to Arnold\)[\s\S]*\(reconnected to Arnold\)/);
    const after = run.stdout().slice(before);
    expect(after).toMatch(
      /attempt 1\)[\s\S]*reconnect failed[\s\S]*attempt 2\)[\s\S]*\(reconnected to Arnold\)/,
    );
    run.child.stdin.end('what is my row progress\n');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('arnold: 1 session of row.');
  });
});
