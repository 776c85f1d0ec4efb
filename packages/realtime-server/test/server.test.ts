import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isVoxwireError } from '@voxwire/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createRealtimeServer,
  RealtimeProtocolError,
  type RealtimeServer,
  RealtimeServerConfigError,
  type RealtimeServerError,
  VoxwireError,
} from '../src/index.js';
import { RawClient } from './helpers.js';

/** Status of a WebSocket upgrade that the server refuses, and its JSON body. */
function upgradeStatus(
  url: string,
  headers: Record<string, string> = {},
  protocols?: string[],
): Promise<{ status: number; body: string } | 'open'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => {
        body += d.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('error', (err) => {
      if (!String(err.message).includes('Unexpected server response')) reject(err);
    });
  });
}

describe('authentication', () => {
  let server: RealtimeServer;
  beforeAll(async () => {
    server = await createRealtimeServer({ apiKeys: ['sk-one', 'sk-two'], pacing: 'fast' });
  });
  afterAll(() => server.close());

  it('rejects an upgrade without a key with 401 and an OpenAI-style error body', async () => {
    const r = await upgradeStatus(server.url);
    expect(r).not.toBe('open');
    if (r === 'open') return;
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('invalid_api_key');
  });

  it('rejects a wrong Bearer key with 401', async () => {
    const r = await upgradeStatus(server.url, { Authorization: 'Bearer sk-wrong' });
    expect(r).toMatchObject({ status: 401 });
  });

  it('accepts any configured key as Bearer, and the browser subprotocol form', async () => {
    expect(await upgradeStatus(server.url, { Authorization: 'Bearer sk-two' })).toBe('open');
    expect(await upgradeStatus(server.url, {}, ['realtime', 'openai-insecure-api-key.sk-one'])).toBe('open');
  });

  it('answers other paths with 404', async () => {
    const r = await upgradeStatus(server.url.replace('/v1/realtime', '/v1/other'), {
      Authorization: 'Bearer sk-one',
    });
    expect(r).toMatchObject({ status: 404 });
  });
});

describe('server options', () => {
  it('attaches to an existing HTTP server on a custom path and leaves it running on close', async () => {
    const http = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const server = await createRealtimeServer({ server: http, path: '/rt', pacing: 'fast' });
    expect(server.url).toBe(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/rt`);
    const c = await RawClient.connect(`${server.url}?model=gpt-realtime-mini`);
    const created = c.events[0];
    expect((created.session as { model: string }).model).toBe('gpt-realtime-mini');
    expect(server.sessionCount).toBe(1);
    await server.close();
    expect(await c.closed).toBe(1001);
    const res = await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
    expect(await res.text()).toBe('ok');
    await new Promise((r) => http.close(r));
  });

  it('refuses impossible options with a typed error', async () => {
    await expect(createRealtimeServer({ path: 'v1/realtime' })).rejects.toBeInstanceOf(
      RealtimeServerConfigError,
    );
    await expect(createRealtimeServer({ apiKeys: [] })).rejects.toThrow(/apiKeys is empty/);
    await expect(createRealtimeServer({ port: 70000 })).rejects.toThrow(/port/);
    await expect(createRealtimeServer({ pacing: 'slow' as 'fast' })).rejects.toThrow(/pacing/);
    await expect(createRealtimeServer({ port: -1 })).rejects.toMatchObject({
      name: 'RealtimeServerConfigError',
      code: 'INVALID_ARGUMENT',
    });
    expect(isVoxwireError(await createRealtimeServer({ heartbeatMs: -5 }).catch((e: unknown) => e))).toBe(
      true,
    );
  });

  it('closes once however often close() is called, and with await using', async () => {
    let url: string;
    {
      await using server = await createRealtimeServer({ pacing: 'fast' });
      url = server.url;
      const c = await RawClient.connect(server.url);
      const first = server.close();
      expect(server.close()).toBe(first);
      await first;
      expect(await c.closed).toBe(1001);
    }
    // Disposal after an explicit close is a no-op; the port is free again.
    await expect(RawClient.connect(url)).rejects.toThrow();
  });

  it('rejects with the listen error when the port is taken, leaving nothing running', async () => {
    await using taken = await createRealtimeServer();
    await expect(createRealtimeServer({ port: taken.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it("sends OpenAI's spelling on the wire while the error class carries SCREAMING_SNAKE codes", () => {
    const err = new RealtimeProtocolError('UNKNOWN_PARAMETER', "Unknown parameter: 'x'.", 'x');
    expect(err).toBeInstanceOf(VoxwireError);
    expect(err.code).toBe('UNKNOWN_PARAMETER');
    expect(err.wireCode).toBe('unknown_parameter');
    expect(err.toBody('evt_1')).toEqual({
      type: 'invalid_request_error',
      code: 'unknown_parameter',
      message: "Unknown parameter: 'x'.",
      param: 'x',
      event_id: 'evt_1',
    });
  });

  it('refuses a connection with 1011 when the engines function throws for it, and serves the next', async () => {
    let calls = 0;
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: () => {
        calls++;
        if (calls === 1) throw new Error('no engines for this caller');
        return {};
      },
    });
    const errors: RealtimeServerError[] = [];
    server.on('error', (err) => errors.push(err));
    const refused = new WebSocket(server.url);
    expect(await new Promise((r) => refused.once('close', r))).toBe(1011);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'ENGINE_FAILED',
      cause: { message: 'no engines for this caller' },
    });
    expect(errors[0].message).toContain('no engines for this caller');
    const next = await RawClient.connect(server.url);
    expect(next.events[0].type).toBe('session.created');
    next.close();
    await server.close();
  });

  it('keeps other sessions running when one client misbehaves and drops', async () => {
    const server = await createRealtimeServer({ pacing: 'fast' });
    const good = await RawClient.connect(server.url);
    const bad = await RawClient.connect(server.url);
    bad.sendRaw('{{{');
    await bad.next('error');
    bad.ws.terminate();
    good.send({ type: 'session.update', session: { type: 'realtime', instructions: 'still here' } });
    const updated = await good.next('session.updated');
    expect((updated.session as { instructions: string }).instructions).toBe('still here');
    good.close();
    await server.close();
  });
});

/**
 * Runs src/cli.ts with tsx's loader (a devDependency) so the test needs no build. One process, not tsx's
 * CLI: that one relays signals to a child it starts, and a SIGTERM could race the relay.
 */
function runCli(args: string[]) {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  return spawn(process.execPath, ['--import', tsx, cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The URL the CLI prints once it listens. */
function listeningUrl(child: ReturnType<typeof runCli>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/listening on (\S+)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`cli exited ${code}`)));
  });
}

describe('CLI', () => {
  it('voxwire-realtime-server --port 0 serves sessions until SIGTERM', async () => {
    const child = runCli(['--port', '0', '--pacing', 'fast', '--api-key', 'sk-cli']);
    const url = await listeningUrl(child);
    const c = await RawClient.connect(url, { Authorization: 'Bearer sk-cli' });
    expect(c.events[0].type).toBe('session.created');
    c.close();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('warns loudly at startup when it runs without an API key, bound to loopback', async () => {
    const child = runCli(['--port', '0']);
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const url = await listeningUrl(child);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:/);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (!err.includes('WARNING')) await new Promise((r) => child.stderr.once('data', r));
    expect(err).toContain('no --api-key given');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 2 with usage for a bad option', async () => {
    const child = runCli(['--pacing', 'warp']);
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect({ code, err }).toMatchObject({
      code: 2,
      err: expect.stringContaining('--pacing must be ahead, realtime or fast'),
    });
  });
});
