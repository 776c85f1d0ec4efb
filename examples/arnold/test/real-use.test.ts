// "Use it for real", as far as this machine allows: Arnold started from the environment a deployment sets
// (HOST on every interface, TLS certificate and key, a bearer token) serves https/wss, and arnold-client
// reaches it over TLS with the token, trusting the certificate through NODE_EXTRA_CA_CERTS. With only
// OPENAI_API_KEY set, Arnold aims at OpenAI's endpoint with the default model (unreachable here).
import { join } from 'node:path';
import { selfSignedCert } from '@voxwire/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { arnoldOptionsFromEnv } from '../src/env.js';
import { type Arnold, startArnold } from '../src/server.js';
import { killClients, runClient } from './cli-process.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
const cert = selfSignedCert();
const started: Arnold[] = [];

afterAll(async () => {
  killClients();
  for (const a of started) await a.close();
  cert.dispose();
  tmp.remove();
});

describe('use it for real', () => {
  it('serves https/wss on HOST with a token; the client connects over TLS', { timeout: 120000 }, async () => {
    const lines: string[] = [];
    const arnold = await startArnold({
      ...arnoldOptionsFromEnv({
        HOST: '0.0.0.0',
        PORT: '0',
        ARNOLD_DB: join(tmp.dir, 'tls.db'),
        ARNOLD_TLS_CERT: cert.certPath,
        ARNOLD_TLS_KEY: cert.keyPath,
        ARNOLD_TOKEN: 'lift-heavy',
      }),
      pacing: 'fast',
      log: (line) => lines.push(line),
    });
    started.push(arnold);
    expect(arnold.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
    expect(lines.some((l) => l.includes('WARNING'))).toBe(false); // authenticated: no warning
    const url = `https://127.0.0.1:${arnold.port}`;
    const run = runClient(url, ['--text'], {
      NODE_EXTRA_CA_CERTS: cert.certPath,
      ARNOLD_TOKEN: 'lift-heavy',
    });
    run.child.stdin.end('I just did 4 reps of squat at 140 kilos\n');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('arnold: Logged 4 reps of squat at 140 kilograms.');
    // Without the token: refused.
    const denied = runClient(url, ['--text'], { NODE_EXTRA_CA_CERTS: cert.certPath });
    expect(await denied.exited).toBe(1);
    expect(denied.stderr()).toMatch(/HTTP 401/);
  });

  it('with OPENAI_API_KEY alone, aims at OpenAI with gpt-realtime', async () => {
    const arnold = await startArnold({
      ...arnoldOptionsFromEnv({ PORT: '0', ARNOLD_DB: join(tmp.dir, 'openai.db'), OPENAI_API_KEY: 'sk-x' }),
      log: () => {},
    });
    started.push(arnold);
    // No URL: @voxwire/realtime-client's default, wss://api.openai.com/v1/realtime?model=gpt-realtime.
    expect(arnold.backend).toMatchObject({
      kind: 'openai',
      url: undefined,
      apiKey: 'sk-x',
      model: 'gpt-realtime',
    });
    const res = await fetch(`${arnold.url}/realtime/session/start`, { method: 'POST' });
    expect(await res.json()).toMatchObject({ backend: 'openai', audio_format: { sample_rate: 24000 } });
  });
});
