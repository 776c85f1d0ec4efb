import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspeakSynthesizer, NullTranscriber } from '@voxwire/speech';
import { freePort, waitUntil } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { espeakVoice, type Jarvis, type SpeechEngines, startJarvis } from '../src/index.js';
import { Client, type Msg, testTokens } from './helpers.js';

// The error messages of the audio socket, each provoked for real: a full utterance queue, a saturated
// speech synthesizer, an espeak-ng that answers garbage, an unreachable core service. Each is asserted as
// it goes over the wire, and each leaves the same socket answering the next turn.

let dir: string;
let release: string;
let synthesizer: EspeakSynthesizer;
let jarvis: Jarvis;
const { tokens, tokenOf } = testTokens(5);
const clients: Client[] = [];

/**
 * Fault injection around the real espeak-ng: text containing GARBLE gets output that is not a WAV stream;
 * text containing HOLD waits until the file `release` exists, then is spoken; anything else is spoken.
 */
function writeFaultyEspeak(): string {
  const path = join(dir, 'espeak-faulty');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'case "$*" in',
      "  *GARBLE*) echo 'not a wav stream'; exit 0;;",
      `  *HOLD*) while [ ! -e '${release}' ]; do sleep 0.02; done;;`,
      'esac',
      'exec espeak-ng "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jarvis-errors-'));
  release = join(dir, 'release');
  // One espeak-ng process at a time and none waiting: a second synthesis while one runs is refused.
  synthesizer = new EspeakSynthesizer({
    command: writeFaultyEspeak(),
    concurrency: 1,
    maxQueued: 0,
    cacheSize: 0,
  });
  const engines: SpeechEngines = {
    kind: 'offline',
    transcriber: () => new NullTranscriber(),
    synthesizer,
    voice: espeakVoice,
    describe: () => ({ stt: 'none', tts: 'espeak-ng' }),
    close() {},
  };
  jarvis = await startJarvis({ tokens, corePort: 0, audioPort: 0, audio: { engines } });
}, 60000);
afterAll(async () => {
  for (const c of clients) c.close();
  await jarvis?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(user: string): Promise<Client> {
  const c = await Client.open(`${jarvis.audio.url.replace('http', 'ws')}/ws/audio/${user}`, tokenOf(user));
  clients.push(c);
  await c.waitFor((m) => m.type === 'status');
  return c;
}

/** A server message exactly as it goes over the wire. */
function wire(type: string, data: object): Msg {
  return { type, data, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) } as Msg;
}

/** Sends a text turn and waits for its spoken end; returns the answer's text. */
async function turn(c: Client, text: string): Promise<string> {
  const from = c.messages.length;
  c.send({ type: 'text', text });
  const response = await c.waitFor((m) => m.type === 'response', 60000, from);
  await c.waitFor((m) => m.type === 'tts_end', 60000, from);
  return String(response.data.text);
}

/** Opens the HOLD gate, waits until the held synthesis is done, and closes the gate again. */
async function releaseHeld(): Promise<void> {
  writeFileSync(release, '');
  await waitUntil(() => synthesizer.running === 0, 'the held espeak-ng has finished', 60000);
  rmSync(release);
}

const texts = (c: Client, type: string) => c.of(type).map((m) => m.data.text);

describe('audio socket error paths', () => {
  it('ping is answered with pong, before and while streaming', async () => {
    const c = await open('user0');
    c.send({ type: 'ping' });
    expect(await c.waitFor((m) => m.type === 'pong')).toEqual(wire('pong', {}));
    c.send({ type: 'start_streaming' });
    await c.waitFor((m) => m.type === 'streaming_started');
    const from = c.messages.length;
    c.send({ type: 'ping' });
    expect(await c.waitFor((m) => m.type === 'pong', 30000, from)).toEqual(wire('pong', {}));
    expect(await turn(c, '/calc 2 * 21')).toBe('2 * 21 = 42');
    expect(c.of('error')).toEqual([]);
  }, 60000);

  it('a turn beyond the four waiting gets busy; the waiting ones are answered in order and the session goes on', async () => {
    const c = await open('user1');
    // The first answer's speech is held, so the next three wait behind it and the fifth finds no room.
    for (const text of ['/note add HOLD one', '/calc 1 + 1', '/calc 2 + 2', '/calc 3 + 3', '/calc 4 + 4'])
      c.send({ type: 'text', text });
    expect(await c.waitFor((m) => m.type === 'error')).toEqual(
      wire('error', { code: 'busy', message: '4 utterances are waiting; this one was dropped' }),
    );
    await c.waitFor((m) => m.type === 'response');
    await releaseHeld();
    await waitUntil(() => c.of('tts_end').length === 4, 'the four waiting turns are spoken', 60000);
    expect(texts(c, 'response')).toEqual(['Noted: HOLD one.', '1 + 1 = 2', '2 + 2 = 4', '3 + 3 = 6']);
    expect(await turn(c, '/calc 4 + 4')).toBe('4 + 4 = 8');
    expect(c.of('error')).toHaveLength(1);
  }, 90000);

  it("a second user's turn while speech synthesis is saturated gets busy, and is spoken when sent again", async () => {
    const holder = await open('user2');
    const other = await open('user3');
    holder.send({ type: 'text', text: '/note add HOLD two' });
    await holder.waitFor((m) => m.type === 'response');
    await waitUntil(() => synthesizer.running === 1, 'the held espeak-ng is running');
    other.send({ type: 'text', text: '/calc 6 * 7' });
    // The text answer comes first; only its speech is refused.
    expect((await other.waitFor((m) => m.type === 'response')).data.text).toBe('6 * 7 = 42');
    expect(await other.waitFor((m) => m.type === 'error')).toEqual(
      wire('error', { code: 'busy', message: 'speech synthesis is busy; try again shortly' }),
    );
    expect(other.of('tts_result')).toEqual([]);
    await releaseHeld();
    await holder.waitFor((m) => m.type === 'tts_end');
    expect(await turn(other, '/calc 6 * 7')).toBe('6 * 7 = 42');
    expect(holder.of('error')).toEqual([]);
  }, 90000);

  it('a speech engine that fails gets tts_failed after the text answer, and the next turn is spoken', async () => {
    const c = await open('user4');
    c.send({ type: 'text', text: '/note add GARBLE' });
    expect((await c.waitFor((m) => m.type === 'response')).data.text).toBe('Noted: GARBLE.');
    expect(await c.waitFor((m) => m.type === 'error')).toEqual(
      wire('error', {
        code: 'tts_failed',
        message: 'speech synthesis failed: espeak-ng did not produce a WAV stream',
      }),
    );
    expect(c.of('tts_result')).toEqual([]);
    expect(await turn(c, '/calc 5 + 5')).toBe('5 + 5 = 10');
    expect(c.binary.length).toBe(Number(c.of('tts_result')[0]?.data.chunks));
  }, 60000);

  it('with the core service unreachable a turn gets core_unavailable; once it is back the same socket is answered', async () => {
    // A port that was just free and is closed again: connections to it are refused.
    const port = await freePort();
    const c = await open('user0');
    try {
      jarvis.audio.setCoreUrl(`http://127.0.0.1:${port}`);
      const from = c.messages.length;
      c.send({ type: 'text', text: '/calc 1 + 2' });
      expect(await c.waitFor((m) => m.type === 'error', 30000, from)).toEqual(
        wire('error', { code: 'core_unavailable', message: 'core service unreachable: fetch failed' }),
      );
    } finally {
      jarvis.audio.setCoreUrl(jarvis.core.url);
    }
    expect(await turn(c, '/calc 1 + 2')).toBe('1 + 2 = 3');
  }, 60000);
});
