// Hostile input against the engines, from outside over loopback: pathological tool schemas and instructions
// for the rule responder, oversized text and departing clients for speech synthesis. One healthy session
// runs beside each attack and must keep working; processes and handles must come back to their baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  childProcessCount as children,
  handleCounts,
  heapAfterGcMiB,
  settleLeaks,
  waitUntil as until,
  writeStallingEspeak,
} from '@voxwire/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRealtimeServer,
  EspeakSynthesizer,
  type RealtimeServer,
  RuleResponder,
  ScriptedResponder,
} from '../src/index.js';
import { type Event, RawClient } from './helpers.js';

let dir: string;
let stallingEspeak: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'voxwire-engines-hostile-'));
  stallingEspeak = writeStallingEspeak(dir); // text containing STALL never finishes
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: RealtimeServer[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const s of servers.splice(0)) await s.close();
});

async function connect(server: RealtimeServer, session: Record<string, unknown>): Promise<RawClient> {
  const c = await RawClient.connect(server.url);
  clients.push(c);
  const updated = c.nextNew('session.updated');
  c.send({ type: 'session.update', session: { type: 'realtime', ...session } });
  await updated;
  return c;
}

/** Adds a user message and asks for a response; resolves with its `response.done`. */
async function ask(client: RawClient, text: string): Promise<Event> {
  const from = client.events.length;
  client.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });
  client.send({ type: 'response.create' });
  return client.next('response.done', () => true, from);
}

function outputText(done: Event): string {
  const response = done.response as {
    output: Array<{ content?: Array<{ text?: string; transcript?: string }> }>;
  };
  return response.output
    .flatMap((i) => i.content ?? [])
    .map((c) => c.text ?? c.transcript ?? '')
    .join(' ');
}

const TEXT_ONLY = { output_modalities: ['text'], audio: { input: { turn_detection: null } } };

describe('rule responder: no wire text reaches a RegExp, nothing quadratic', () => {
  it("a tool parameter named (a+)+$ against 40 a's answers, and a healthy session beside it keeps working", async () => {
    const baseline = handleCounts();
    const heapBaseline = heapAfterGcMiB();
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: { responder: new RuleResponder() },
    });
    servers.push(server);
    const attacker = await connect(server, {
      ...TEXT_ONLY,
      tools: [
        {
          type: 'function',
          name: 'set_flag',
          description: 'Sets a flag',
          parameters: {
            type: 'object',
            properties: { '(a+)+$': { type: 'boolean' }, '[': { type: 'string', enum: ['(a+)+$', '\\'] } },
          },
        },
      ],
    });
    const healthy = await connect(server, TEXT_ONLY);
    // 2^40 backtracking steps with the name compiled into a RegExp: the server would never answer.
    const attack = ask(attacker, `set flag ${'a'.repeat(40)}!`);
    await attacker.next('response.created');
    const fine = await ask(healthy, 'hello there');
    expect((fine.response as { status: string }).status).toBe('completed');
    expect(outputText(fine)).toContain('hello there');
    const done = await attack;
    const output = (done.response as { output: Array<{ type: string; name?: string; arguments?: string }> })
      .output;
    expect(output[0]).toMatchObject({ type: 'function_call', name: 'set_flag' });
    expect(JSON.parse(output[0].arguments ?? '{}')).not.toHaveProperty('(a+)+$');
    for (const c of clients.splice(0)) c.ws.terminate();
    await server.close();
    servers.length = 0;
    expect(await settleLeaks(baseline)).toEqual({});
    expect(heapAfterGcMiB() - heapBaseline).toBeLessThan(16);
  });

  it('1 MB of instructions built to backtrack still parse their rules, beside a healthy session', async () => {
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: { responder: new RuleResponder() },
    });
    servers.push(server);
    // A million spaces between a rule's quote and its comma: O(n²) for the old unanchored pattern (n = 1e6),
    // then thousands of rule openings that never close.
    const instructions = [
      'When the user says "ping", reply "pong".',
      `When the user says "hello" ${' '.repeat(1_000_000)}, reply "never"`,
      'if says "x'.repeat(20_000),
      'When the user says "status", reply "all good".',
    ].join('\n');
    const attacker = await connect(server, { ...TEXT_ONLY, instructions });
    const healthy = await connect(server, TEXT_ONLY);
    const attack = ask(attacker, 'ping');
    await attacker.next('response.created');
    const fine = await ask(healthy, 'are you there');
    expect(outputText(fine)).toContain('are you there');
    expect(outputText(await attack)).toBe('pong');
    // The last rule (after the pathological stretches) is found too: parsing went through all of it.
    expect(outputText(await ask(attacker, 'status'))).toBe('all good');
  });

  it('a huge user message and a huge tool description answer, echoing a bounded text', async () => {
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: { responder: new RuleResponder() },
    });
    servers.push(server);
    const words = Array.from({ length: 100_000 }, (_, i) => `word${i}`).join(' ');
    const attacker = await connect(server, {
      ...TEXT_ONLY,
      tools: [
        {
          type: 'function',
          name: 'lookup_thing',
          description: words,
          parameters: { type: 'object', properties: { count: { type: 'number', description: words } } },
        },
      ],
    });
    const healthy = await connect(server, TEXT_ONLY);
    const message = `${'.'.repeat(500_000)}x${'1 '.repeat(200_000)}${'!'.repeat(100_000)}`;
    const attack = ask(attacker, message);
    await attacker.next('response.created');
    expect(outputText(await ask(healthy, 'still here'))).toContain('still here');
    const done = await attack;
    expect((done.response as { status: string }).status).toBe('completed');
    expect(JSON.stringify(done).length).toBeLessThan(64 * 1024);
  });
});

describe('speech synthesis limits, over a socket', () => {
  it('kills the espeak-ng run of a client that left, so the shared slot serves the next user', async () => {
    const baseline = handleCounts();
    const heapBaseline = heapAfterGcMiB();
    const synth = new EspeakSynthesizer({ command: stallingEspeak, concurrency: 1, cacheSize: 0 });
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: { synthesizer: synth, responder: new RuleResponder() },
    });
    servers.push(server);
    const session = { output_modalities: ['audio'], audio: { input: { turn_detection: null } } };
    const attacker = await connect(server, session);
    const healthy = await connect(server, session);
    void ask(attacker, 'STALL forever');
    await until(() => children('sleep') === 1 && synth.running === 1, "the attacker's synthesis to hang");
    const fine = ask(healthy, 'good morning');
    await until(() => synth.queued === 1, 'the healthy session to wait for the slot');
    attacker.ws.terminate(); // abrupt: no close frame
    const done = await fine;
    expect((done.response as { status: string }).status).toBe('completed');
    expect(healthy.events.some((e) => e.type === 'response.output_audio.delta')).toBe(true);
    await until(() => children('sleep') === 0 && children('espeak-ng') === 0, 'no speech processes left');
    for (const c of clients.splice(0)) c.ws.terminate();
    await server.close();
    servers.length = 0;
    expect(await settleLeaks(baseline)).toEqual({});
    expect(heapAfterGcMiB() - heapBaseline).toBeLessThan(16);
  });

  it('a reply over the synthesizer limit fails its response with a clear error; the session goes on', async () => {
    const server = await createRealtimeServer({
      pacing: 'fast',
      engines: {
        synthesizer: new EspeakSynthesizer({ maxTextLength: 5000 }),
        responder: new ScriptedResponder([{ text: 'word '.repeat(2000) }, { text: 'Short again.' }]),
      },
    });
    servers.push(server);
    const client = await connect(server, {
      output_modalities: ['audio'],
      audio: { input: { turn_detection: null } },
    });
    const failed = await ask(client, 'talk a lot');
    const details = failed.response as { status: string; status_details: { error: { message: string } } };
    expect(details.status).toBe('failed');
    expect(details.status_details.error.message).toMatch(
      /10000 characters; the limit is 5000 \(option maxTextLength\)/,
    );
    const ok = await ask(client, 'again');
    expect((ok.response as { status: string }).status).toBe('completed');
  });
});
