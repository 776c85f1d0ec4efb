import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  requireBinary,
  type SelfSignedCert,
  type ServerProcess,
  selfSignedCert,
  spawnTsx,
  tone,
  waitUntil,
} from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './helpers.js';

// The README's "Use it for real" setup, as far as this machine allows: `pnpm start`'s entry point configured
// by environment variables only, behind haproxy terminating TLS on one public origin (the README's haproxy
// configuration), with OpenAI's speech endpoint played by a local stand-in (there is no internet here).

const token = 'alice-deploy-token-0123456789';
const apiKey = 'sk-test-key';
let cert: SelfSignedCert;
let dir: string;
let openai: Server;
let jarvis: ServerProcess;
let haproxy: ChildProcess;
let haproxyExited = false;
let publicUrl: string;
const speechRequests: string[] = [];

/** GET over the public https origin, trusting the test certificate. */
function get(path: string, auth?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = auth ? { authorization: `Bearer ${auth}` } : undefined;
    const req = request(`${publicUrl}${path}`, { ca: cert.cert, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** The README's haproxy configuration: TLS on one origin, the audio paths to the audio service. */
function haproxyConfig(port: number, pem: string, corePort: number, audioPort: number): string {
  return `defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 1h
frontend jarvis
  bind 127.0.0.1:${port} ssl crt ${pem}
  use_backend audio if { path_beg /ws/audio/ } || { path_beg /api/v2/audio/ }
  default_backend core
backend core
  server core 127.0.0.1:${corePort}
backend audio
  server audio 127.0.0.1:${audioPort}
`;
}

beforeAll(async () => {
  requireBinary('haproxy', ['-v']);
  cert = selfSignedCert();
  dir = mkdtempSync(join(tmpdir(), 'jarvis-deploy-'));
  // OpenAI's POST /v1/audio/speech as response_format "pcm": 24 kHz PCM16LE, here half a second of tone.
  openai = createHttpServer((req, res) => {
    speechRequests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from(tone(440, 24000, 12000, 0.25).buffer));
    });
  });
  await new Promise<void>((resolve) => openai.listen(0, '127.0.0.1', resolve));
  const proxyPort = await freePort();
  publicUrl = `https://127.0.0.1:${proxyPort}`;

  jarvis = spawnTsx(fileURLToPath(new URL('../src/main.ts', import.meta.url)), {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      JARVIS_CORE_PORT: '0',
      JARVIS_AUDIO_PORT: '0',
      JARVIS_TOKENS: `alice:${token}`,
      JARVIS_PUBLIC_AUDIO_URL: publicUrl,
      OPENAI_API_KEY: apiKey,
      OPENAI_BASE_URL: `http://127.0.0.1:${(openai.address() as { port: number }).port}/v1`,
    },
  });
  const started = /audio service on http:\/\/[\d.]+:(\d+)[\s\S]*core service on http:\/\/[\d.]+:(\d+)/;
  await waitUntil(() => started.test(jarvis.output()), 'Jarvis to start', 60_000);
  const [, audioPort, corePort] = started.exec(jarvis.output()) as RegExpExecArray;

  const pem = join(dir, 'jarvis.pem');
  writeFileSync(pem, Buffer.concat([cert.cert, cert.key]));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(proxyPort, pem, Number(corePort), Number(audioPort)));
  haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: 'ignore' });
  haproxy.once('exit', () => {
    haproxyExited = true;
  });
  await waitUntil(
    () =>
      !haproxyExited &&
      get('/api/v2/health').then(
        (r) => r.status === 200,
        () => false,
      ),
    'haproxy to serve Jarvis over TLS',
    30_000,
  );
}, 90_000);

afterAll(async () => {
  if (haproxy && !haproxyExited) {
    haproxy.kill('SIGTERM');
    await waitUntil(() => haproxyExited, 'haproxy to exit');
  }
  jarvis?.child.kill('SIGKILL');
  await new Promise((resolve) => openai?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
  cert?.dispose();
});

describe('use it for real: environment only, behind a TLS proxy, OpenAI speech', () => {
  it('serves the UI, its config and a spoken turn on one https origin, then exits 0 on SIGTERM', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);

    const health = JSON.parse((await get('/api/v2/health')).body) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'healthy',
      audio_service: { status: 'healthy', engines: { stt: 'openai', tts: 'openai' } },
    });
    // The page opens its audio socket at the public origin, not at the service's loopback port.
    const config = JSON.parse((await get('/api/v2/config', token)).body) as { audio_ws_url: string };
    expect(config.audio_ws_url).toBe(publicUrl.replace('https', 'wss'));

    const audio = await Client.open(`${config.audio_ws_url}/ws/audio/alice`, token, cert.cert);
    audio.send({ type: 'text', text: '/calc 6 * 7' });
    expect((await audio.waitFor((m) => m.type === 'response')).data.text).toBe('6 * 7 = 42');
    const tts = await audio.waitFor((m) => m.type === 'tts_result');
    expect(tts.data).toMatchObject({ engine: 'openai', sample_rate: 16000, duration_ms: 500 });
    await audio.waitFor((m) => m.type === 'tts_end');
    expect(audio.binary.length).toBe(tts.data.chunks);
    expect(speechRequests).toEqual([`POST /v1/audio/speech Bearer ${apiKey}`]);

    const chat = await Client.open(`${publicUrl.replace('https', 'wss')}/ws/alice`, token, cert.cert);
    chat.send({ type: 'chat', message: '/calc 1 + 1' });
    expect((await chat.waitFor((m) => m.type === 'chat_response')).data).toMatchObject({
      response: '1 + 1 = 2',
    });

    jarvis.child.kill('SIGTERM');
    expect(await jarvis.exited).toBe(0);
  }, 90_000);
});
