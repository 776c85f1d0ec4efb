/**
 * Starts the real servers the Janus and TURN tests talk to — Debian's `janus` and `coturn` — as child
 * processes on free loopback ports, with the configuration files in test-support/fixtures, and waits until they
 * answer. CI installs the packages (.ci/apt-packages.txt) but starts nothing: the tests do.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './redis-server.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A random base port for a UDP range of `size` ports, in 20000..59999. */
function randomRange(size: number): [number, number] {
  const min = 20000 + Math.floor(Math.random() * ((60000 - 20000 - size) / size)) * size;
  return [min, min + size - 1];
}

function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/@([A-Z_]+)@/g, (m, k: string) => vars[k] ?? m);
}

/** Resolves when `pattern` appears in the child's output; rejects when it exits first or after `ms`. */
function waitForOutput(child: ChildProcess, log: () => string, pattern: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(log())) done(undefined);
    };
    const onExit = (code: number | null) =>
      done(new Error(`exited (${code}) before ready:\n${log().slice(-3000)}`));
    const timer = setTimeout(() => done(new Error(`not ready within ${ms} ms:\n${log().slice(-3000)}`)), ms);
    const done = (err: Error | undefined) => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function spawnLogged(cmd: string, args: string[], cwd: string): { child: ChildProcess; log: () => string } {
  const chunks: string[] = [];
  let size = 0;
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer) => {
    chunks.push(b.toString());
    size += b.length;
    // Keep the last ~200 kB of output for error messages.
    while (size > 200_000 && chunks.length > 1) size -= chunks.shift()?.length ?? 0;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('error', (err) => keep(Buffer.from(`spawn ${cmd}: ${err.message}\n`)));
  return { child, log: () => chunks.join('') };
}

/** The Debian package's plugin folders (dpkg -L janus): /usr/lib/<triplet>/janus/{plugins,transports,...}. */
function janusLibDir(): string {
  for (const base of ['/usr/lib', '/usr/local/lib', '/opt/janus/lib']) {
    if (existsSync(join(base, 'janus', 'plugins'))) return join(base, 'janus');
    if (!existsSync(base)) continue;
    for (const d of readdirSync(base)) {
      const p = join(base, d, 'janus');
      if (existsSync(join(p, 'plugins', 'libjanus_audiobridge.so'))) return p;
    }
  }
  throw new Error('Janus plugins not found: apt-get install -y janus (see .ci/apt-packages.txt)');
}

/** A Janus gateway running as a child process. */
export interface JanusServer {
  /** `ws://127.0.0.1:<port>` */
  url: string;
  apiSecret: string;
  adminKey: string;
  /** Everything Janus logged so far. */
  log(): string;
  /** Kills Janus (all sessions are lost) and starts it again with the same configuration and port. */
  restart(): Promise<void>;
  /** Kills Janus only. */
  kill(): Promise<void>;
  /** Starts it again after `kill`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `janus` with the configuration in test/fixtures/janus on a free loopback port. */
export async function startJanus(): Promise<JanusServer> {
  // Janus never gathers ICE candidates on loopback interfaces (its ice.c skips IFF_LOOPBACK): its media needs
  // another interface even though signaling stays on 127.0.0.1. Say so instead of Janus' "Error setting ICE".
  const usable = Object.values(networkInterfaces())
    .flat()
    .some((a) => a !== undefined && !a.internal && a.family === 'IPv4');
  if (!usable) {
    throw new Error(
      'Janus media needs a non-loopback IPv4 interface (Janus skips loopback for ICE); this machine has only lo',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'voxwire-janus-'));
  const lib = janusLibDir();
  const port = await freePort();
  const [rtpMin, rtpMax] = randomRange(200);
  const apiSecret = randomBytes(8).toString('hex');
  const adminKey = randomBytes(8).toString('hex');
  const vars: Record<string, string> = {
    CONFIG_DIR: dir,
    PLUGINS_DIR: join(lib, 'plugins'),
    TRANSPORTS_DIR: join(lib, 'transports'),
    EVENTS_DIR: join(lib, 'events'),
    LOGGERS_DIR: join(lib, 'loggers'),
    API_SECRET: apiSecret,
    ADMIN_SECRET: randomBytes(8).toString('hex'),
    ADMIN_KEY: adminKey,
    RTP_PORTS: `${rtpMin}-${rtpMax}`,
    WS_PORT: String(port),
  };
  for (const f of readdirSync(join(FIXTURES, 'janus'))) {
    writeFileSync(join(dir, f), fill(readFileSync(join(FIXTURES, 'janus', f), 'utf8'), vars));
  }
  let current: { child: ChildProcess; log: () => string } | undefined;
  let history = '';
  const start = async () => {
    current = spawnLogged('janus', ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o'], dir);
    await waitForOutput(current.child, current.log, /WebSockets thread started/, 30_000);
  };
  const kill = async () => {
    if (!current) return;
    const c = current;
    current = undefined;
    await stopChild(c.child);
    history += c.log();
  };
  await start();
  return {
    url: `ws://127.0.0.1:${port}`,
    apiSecret,
    adminKey,
    log: () => history + (current?.log() ?? ''),
    start,
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A coturn server running as a child process. */
export interface TurnServer {
  /** `turn:127.0.0.1:<port>?transport=udp` */
  url: string;
  port: number;
  realm: string;
  log(): string;
  stop(): Promise<void>;
}

/** How a {@link startTurnServer} instance authenticates: a static user, or the REST-API shared secret. */
export type TurnAuth = { user: string; password: string } | { secret: string };

/**
 * Starts coturn's `turnserver` on a free loopback UDP port. coturn cannot mix static users and the REST-API
 * secret in one process ("Shared secret overrides username/password"), so each scheme gets its own server.
 */
export async function startTurnServer(auth: TurnAuth): Promise<TurnServer> {
  const dir = mkdtempSync(join(tmpdir(), 'voxwire-coturn-'));
  const port = await freeUdpPort();
  const [min, max] = randomRange(100);
  const realm = 'voxwire.test';
  const authLines =
    'secret' in auth
      ? `use-auth-secret\nstatic-auth-secret=${auth.secret}`
      : `lt-cred-mech\nuser=${auth.user}:${auth.password}`;
  const conf = fill(readFileSync(join(FIXTURES, 'coturn', 'turnserver.conf'), 'utf8'), {
    PORT: String(port),
    MIN_PORT: String(min),
    MAX_PORT: String(max),
    REALM: realm,
    AUTH: authLines,
    DIR: dir,
  });
  writeFileSync(join(dir, 'turnserver.conf'), conf);
  const { child, log } = spawnLogged('turnserver', ['-c', join(dir, 'turnserver.conf')], dir);
  try {
    await waitForStun(port, child, log, 30_000);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    realm,
    log,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freeUdpPort(): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const { port } = sock.address();
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

/** Sends STUN Binding requests to 127.0.0.1:port until one is answered (the server is listening). */
function waitForStun(port: number, child: ChildProcess, log: () => string, ms: number): Promise<void> {
  const sock = createSocket('udp4');
  const req = Buffer.alloc(20);
  req.writeUInt16BE(0x0001, 0); // Binding request
  req.writeUInt32BE(0x2112a442, 4); // magic cookie
  randomBytes(12).copy(req, 8);
  return new Promise((resolve, reject) => {
    const send = () => sock.send(req, port, '127.0.0.1');
    const interval = setInterval(send, 200);
    const timer = setTimeout(() => done(new Error(`coturn not answering within ${ms} ms:\n${log()}`)), ms);
    const onExit = (code: number | null) => done(new Error(`turnserver exited (${code}):\n${log()}`));
    const done = (err?: Error) => {
      clearInterval(interval);
      clearTimeout(timer);
      child.off('exit', onExit);
      sock.close();
      if (err) reject(err);
      else resolve();
    };
    sock.on('message', (msg) => {
      if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101) done();
    });
    child.once('exit', onExit);
    sock.bind(0, '127.0.0.1', send);
  });
}
