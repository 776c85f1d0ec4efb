import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeOnce, type ListenOptions, type StartedServer } from '@voxwire/core';
import type { FleetAction } from './call.js';
import { FleetError } from './errors.js';
import type { Fleet } from './fleet.js';
import { bearerMatches, readJsonBody, sendError, sendJson } from './http-io.js';

/** Options of {@link fleetRequestHandler}. */
export interface FleetHandlerOptions {
  /** The fleet this instance belongs to. */
  fleet: Fleet;
  /** Bearer token every `/calls` request must carry. Required: the API can hang up anyone's call. */
  token: string;
  /** Whether `GET /metrics` needs the token too. Default false (Prometheus scrapes without one). */
  metricsNeedToken?: boolean;
  /** Largest request body. Default 16 KiB; larger ones get 413. */
  maxBodyBytes?: number;
}

/** Options of {@link createFleetServer}. */
export interface FleetServerOptions extends FleetHandlerOptions, ListenOptions {
  /** Whole-request time limit (Node's `requestTimeout`). Default 10 000 ms. */
  requestTimeoutMs?: number;
}

/** The running HTTP API of one instance. */
export interface FleetServer extends StartedServer {}

const ACTIONS = new Set(['hangup', 'say', 'inject', 'mute', 'unmute']);

/** The fleet's own paths: `/healthz`, `/metrics`, `/drain` and everything under `/calls`. */
const FLEET_PATH = /^\/(?:healthz|metrics|drain|calls)(?:\/|$)/;

/**
 * The fleet's HTTP API as a request handler, to mount on a server you already run (the call server's own
 * port): it answers `/healthz`, `/metrics`, `/drain` and `/calls…` and returns true, or returns false and
 * leaves the response alone for any other path. {@link createFleetServer} serves the same on a port of its own.
 * @throws FleetError `INVALID_ARGUMENT` for a token shorter than 8 characters.
 */
export function fleetRequestHandler(
  options: FleetHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { fleet } = options;
  if (typeof options.token !== 'string' || options.token.length < 8)
    throw new FleetError('INVALID_ARGUMENT', 'token must be a string of at least 8 characters');
  const maxBody = options.maxBodyBytes ?? 16 * 1024;
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    // Which instance answered: behind a balancer, that is what an operator (and a test) wants to know.
    res.setHeader('x-voxwire-instance', fleet.instanceId);
    // Only the path matters; the target is never parsed as a URL with a host.
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/healthz') {
      if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET');
      return sendJson(res, fleet.draining ? 503 : 200, {
        status: fleet.draining ? 'draining' : 'ok',
        ...fleet.status(),
      });
    }
    if (path === '/metrics') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      if (options.metricsNeedToken && !bearerMatches(req, options.token)) return unauthorized(res);
      const text = await fleet.metrics.render();
      res.writeHead(200, { 'content-type': fleet.metrics.contentType });
      res.end(text);
      return;
    }
    if (path === '/drain') {
      if (!bearerMatches(req, options.token)) return unauthorized(res);
      if (method !== 'POST') return methodNotAllowed(res, 'POST');
      const body = await readJsonBody(req, maxBody);
      const deadlineMs = body.deadlineMs ?? 30_000;
      if (typeof deadlineMs !== 'number' || !(deadlineMs >= 0 && deadlineMs <= 86_400_000))
        throw new FleetError('INVALID_ARGUMENT', 'deadlineMs must be a number of 0..86400000');
      // Starts the drain and answers at once: the caller watches /healthz and /calls.
      void fleet.drain({ deadlineMs });
      return sendJson(res, 202, { draining: true, localCalls: fleet.status().localCalls });
    }
    const parts = path.split('/');
    if (parts[1] !== 'calls' || parts.length > 4) return notFound(res);
    if (!bearerMatches(req, options.token)) return unauthorized(res);
    if (parts.length === 2) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      return sendJson(res, 200, { calls: await fleet.list() });
    }
    let id: string;
    try {
      id = decodeURIComponent(parts[2]);
    } catch {
      throw new FleetError('INVALID_ARGUMENT', 'malformed call id');
    }
    if (id.length === 0 || id.length > 256)
      throw new FleetError('INVALID_ARGUMENT', 'call id must be 1..256 characters');
    const verb = parts[3];
    if (verb === undefined) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      const call = await fleet.get(id);
      if (!call) throw new FleetError('NOT_FOUND', `call ${id} not found`);
      return sendJson(res, 200, call);
    }
    if (verb === 'metrics') {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      return sendJson(res, 200, { id, metrics: await fleet.request(id, { type: 'metrics' }) });
    }
    if (!ACTIONS.has(verb)) return notFound(res);
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    const body = await readJsonBody(req, maxBody);
    await fleet.request(id, { ...body, type: verb } as FleetAction); // parseAction checks the fields
    return sendJson(res, 200, { id, ok: true });
  };
  return (req, res) => {
    if (!FLEET_PATH.test((req.url ?? '/').split('?', 1)[0])) return false;
    handler(req, res).catch((err: unknown) => {
      // Every handler is total: typed errors become their status, anything else a 500 without details.
      if (err instanceof FleetError) sendError(res, err);
      else sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
    });
    return true;
  };
}

/**
 * Starts the fleet's HTTP API on its own port: `GET /calls`, `GET /calls/:id`,
 * `POST /calls/:id/{hangup,say,inject,mute,unmute}`, `GET /calls/:id/metrics`, `POST /drain`, `GET /healthz`
 * (503 while draining) and `GET /metrics` (Prometheus text); any other path is 404.
 * Every request on `/calls` needs `Authorization: Bearer <token>`. Listening when the promise resolves.
 */
export async function createFleetServer(options: FleetServerOptions): Promise<FleetServer> {
  const handle = fleetRequestHandler(options);
  const server = createServer((req, res) => {
    if (!handle(req, res)) {
      res.setHeader('x-voxwire-instance', options.fleet.instanceId);
      notFound(res);
    }
  });
  server.requestTimeout = options.requestTimeoutMs ?? 10_000;
  server.headersTimeout = Math.min(server.requestTimeout, 10_000);
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const close = closeOnce(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

function notFound(res: ServerResponse): void {
  sendError(res, new FleetError('NOT_FOUND', 'no such endpoint'));
}

function unauthorized(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer');
  sendError(res, new FleetError('UNAUTHORIZED', 'missing or wrong bearer token'));
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: { code: 'INVALID_ARGUMENT', message: `use ${allow}` } });
}
