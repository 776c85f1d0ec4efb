// OpenClaw end to end over loopback: a headless Chromium peer and a simulated Twilio call join at once and
// talk through the mixer with the embedded realtime model. Each party is a pitch (browser 440 Hz, call
// 1 kHz, agent 660 Hz), so each far end's spectrum shows whom it hears. Each test sets up its own room
// (OpenClaw, browser page, call) and tears it down: they pass alone and in any order.
import { existsSync } from 'node:fs';
import { audioFrame } from '@voxwire/codecs';
import { CHROMIUM, launchChromium, speech, tone } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ResponseEvent, TurnEvent } from '../src/agent-pipeline.js';
import { joinNodePeer } from '../src/node-participant.js';
import type { OpenClaw } from '../src/openclaw.js';
import { startTestOpenClaw } from './helpers/app.js';
import {
  AGENT_HZ,
  type BlockLevels,
  BROWSER_HZ,
  blockLevels,
  blocksWith,
  CALL_HZ,
  PROBE_HZ,
  peakOf,
} from './helpers/audio.js';
import { BrowserParticipant } from './helpers/chromium.js';
import { nextEvent, waitFor } from './helpers/wait.js';

/** espeak-ng speech at its own 22.05 kHz, as the page and the simulator used to get it from a WAV file. */
const SPEECH_RATE = 22050;
const say = (text: string) => ({
  pcm: speech(text, SPEECH_RATE, { wordsPerMinute: 150 }),
  sampleRate: SPEECH_RATE,
});

const I_BROWSER = PROBE_HZ.indexOf(BROWSER_HZ);
const I_AGENT = PROBE_HZ.indexOf(AGENT_HZ);
const I_CALL = PROBE_HZ.indexOf(CALL_HZ);

/** What the simulated caller heard, as 100 ms blocks at the probe pitches. */
function callBlocks(sim: TwilioSimulator, fromMs = 0): BlockLevels[] {
  const pcm = sim.heardPcm();
  return blockLevels(pcm.subarray(Math.min(pcm.length, Math.round(fromMs * 8))), 8000);
}

// Shuffled: the tests run in a random order every time, so none can lean on what another left behind.
describe('OpenClaw: browser + phone call + agent through one mixer', {
  skip: !existsSync(CHROMIUM),
  shuffle: true,
}, () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let app: OpenClaw;
  let logs: Record<string, unknown>[];
  let page: BrowserParticipant;
  let sim: TwilioSimulator;
  let browserId: string;
  let callId: string;
  let turns: TurnEvent[];
  let responses: ResponseEvent[];

  const response = (match: (r: ResponseEvent) => boolean, what: string) =>
    nextEvent<ResponseEvent>(app.agent, 'response', match, what, 90_000);

  // The browser process is only a host for pages; every test gets its own page, call and OpenClaw.
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  // The room every test starts from: OpenClaw with a browser peer and a call, both in the mix, both silent.
  beforeEach(async () => {
    turns = [];
    responses = [];
    ({ app, logs } = await startTestOpenClaw());
    app.agent.on('turn', (t) => turns.push(t));
    app.agent.on('response', (r) => responses.push(r));
    page = await BrowserParticipant.open(browser.context, app.pageUrl);
    sim = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
    // Both join at the same moment.
    await Promise.all([page.connect(undefined, BROWSER_HZ, PROBE_HZ), sim.connect()]);
    await waitFor(
      () =>
        app.router.ids().some((id) => id.startsWith('webrtc_')) &&
        app.router.ids().some((id) => id.startsWith('call_')),
      'the browser and the call in the mix',
    );
    browserId = app.router.ids().find((id) => id.startsWith('webrtc_')) as string;
    callId = app.router.ids().find((id) => id.startsWith('call_')) as string;
  }, 60_000);

  afterEach(async () => {
    await sim?.stop().catch(() => {});
    await page?.close().catch(() => {});
    await app?.close();
  });

  it('joins a browser and a call at once; each hears the other and the agent, never itself; the agent answers either', async () => {
    expect(callId).toBe(`call_${sim.callSid}`);

    // 1. Both send their tone at once (2 s), then fall silent: the model takes it as a turn and answers.
    const pageStart = await page.count();
    const simStartMs = sim.playedMs();
    const answered = response(() => true, 'an answer to the tones');
    await page.tone(true);
    await sim.streamAudio(audioFrame(tone(CALL_HZ, 8000, 2 * 8000, 0.25), 8000));
    await page.tone(false);
    const first = await answered;
    expect(first.status).toBe('completed');
    expect(first.audioMs).toBeGreaterThan(1000);
    // Wait until both far ends have heard the agent's answer.
    await waitFor(
      () => blocksWith(callBlocks(sim, simStartMs), I_AGENT) >= 10,
      'the call hearing the agent',
      60_000,
    );
    await waitFor(
      async () => blocksWith(await page.blocks(pageStart), I_AGENT) >= 10,
      'the browser hearing the agent',
      60_000,
    );

    const heardByBrowser = await page.blocks(pageStart);
    const heardByCall = callBlocks(sim, simStartMs);
    const summary = (b: BlockLevels[]) =>
      PROBE_HZ.map(
        (f, i) => `${f} Hz: ${blocksWith(b, i)} blocks, peak ${peakOf(b, i).toFixed(1)} dBFS`,
      ).join('; ');
    console.log(`browser heard ${summary(heardByBrowser)}\ncall heard    ${summary(heardByCall)}`);
    // The browser hears the call's 1 kHz and the agent's 660 Hz…
    expect(blocksWith(heardByBrowser, I_CALL)).toBeGreaterThanOrEqual(10);
    expect(blocksWith(heardByBrowser, I_AGENT)).toBeGreaterThanOrEqual(10);
    // …the call hears the browser's 440 Hz and the agent…
    expect(blocksWith(heardByCall, I_BROWSER)).toBeGreaterThanOrEqual(10);
    expect(blocksWith(heardByCall, I_AGENT)).toBeGreaterThanOrEqual(10);
    // …and neither hears its own pitch: not one block within 20 dB of the other party's peak. Hearing itself
    // puts it level with the others (≈ −15 dBFS); what remains without it is leakage of the other tones'
    // onsets and of concealed packets into the 440/1000 Hz filters (down to ≈ 28 dB below on a loaded machine).
    expect(peakOf(heardByBrowser, I_BROWSER)).toBeLessThan(peakOf(heardByBrowser, I_CALL) - 20);
    expect(peakOf(heardByCall, I_CALL)).toBeLessThan(peakOf(heardByCall, I_BROWSER) - 20);

    // 2. The browser speaks (espeak-ng): a turn attributed to it, answered, and heard by the call.
    const speech1 = say('Hello OpenClaw, what is on my calendar today?');
    let simMark = sim.playedMs();
    let pageMark = await page.count();
    const fromBrowser = response((r) => r.speaker === browserId, 'an answer to the browser');
    await page.play(speech1.pcm, speech1.sampleRate);
    expect((await fromBrowser).status).toBe('completed');
    await waitFor(() => blocksWith(callBlocks(sim, simMark), I_AGENT) >= 10, 'the call hearing the answer');
    await waitFor(
      async () => blocksWith(await page.blocks(pageMark), I_AGENT) >= 10,
      'the browser hearing the answer',
    );

    // 3. The caller speaks: a turn attributed to the call, answered, heard by the browser.
    const speech2 = say('Please remind me to call the dentist tomorrow morning.');
    simMark = sim.playedMs();
    pageMark = await page.count();
    const fromCall = response((r) => r.speaker === callId, 'an answer to the caller');
    await sim.streamAudio(audioFrame(speech2.pcm, speech2.sampleRate));
    expect((await fromCall).status).toBe('completed');
    await waitFor(
      async () => blocksWith(await page.blocks(pageMark), I_AGENT) >= 10,
      'the browser hearing the answer',
    );
    await waitFor(() => blocksWith(callBlocks(sim, simMark), I_AGENT) >= 10, 'the call hearing the answer');
    // The browser heard the caller's speech too (energy beyond the agent's tone in its blocks).
    expect((await page.blocks(pageMark)).some((b) => b.rms > -45 && (b.tones[I_AGENT] as number) < -50)).toBe(
      true,
    );

    expect(turns.map((t) => t.speaker)).toContain(browserId);
    expect(turns.map((t) => t.speaker)).toContain(callId);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    const metrics = (await (await fetch(`${app.httpUrl}/metrics`)).json()) as { participants: string[] };
    expect(metrics.participants).toEqual(expect.arrayContaining(['mic_input', 'agent', browserId, callId]));
    // The latency monitor has figures for the device and the mix (reported, not judged).
    const latency = app.getLatencyStats();
    expect(latency.deviceAvgMs).toBeGreaterThan(0);
    expect(latency.avgMs).toBeGreaterThanOrEqual(latency.deviceAvgMs);
  }, 180_000);

  it('a peer leaving and a call hanging up mid-sentence do not disturb the others', async () => {
    const newIds = (before: string[]) => app.router.ids().filter((id) => !before.includes(id));
    const agentBlocksSince = async (simMark: number, pageMark: number) => [
      blocksWith(callBlocks(sim, simMark), I_AGENT),
      blocksWith(await page.blocks(pageMark), I_AGENT),
    ];

    // A second call and a second (Node) peer join.
    let before = app.router.ids();
    const sim2 = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
    const [peer2] = await Promise.all([joinNodePeer(app.signalingUrl), sim2.connect()]);
    await waitFor(() => newIds(before).length === 2, 'the second call and peer in the mix');
    const call2Id = `call_${sim2.callSid}`;
    const peer2Id = newIds(before).find((id) => id.startsWith('webrtc_')) as string;
    expect(newIds(before)).toContain(call2Id);

    // a) The second caller asks something; while the agent is mid-answer, both newcomers leave.
    const call2Speech = say('Tell everybody that the meeting moved to three o clock.');
    const answered = response((r) => r.speaker === call2Id, 'an answer to the second caller');
    const turn = nextEvent<TurnEvent>(
      app.agent,
      'turn',
      (t) => t.speaker === call2Id,
      "the second caller's turn",
      60_000,
    );
    await sim2.streamAudio(audioFrame(call2Speech.pcm, call2Speech.sampleRate));
    await turn;
    const audioBefore = app.agent.counters.audioMs;
    await waitFor(() => app.agent.counters.audioMs - audioBefore >= 400, 'the agent to be mid-answer');
    const simMark = sim.playedMs();
    const pageMark = await page.count();
    await Promise.all([sim2.stop(), peer2.leave()]);
    await waitFor(() => !app.router.has(call2Id) && !app.router.has(peer2Id), 'the two to leave the mix');
    const a = await answered;
    expect(a.status).toBe('completed');
    // The rest of the answer (about 2 s) still reaches the browser and the first call.
    await waitFor(
      async () => (await agentBlocksSince(simMark, pageMark)).every((n) => n >= 10),
      'the others hearing the rest of the answer',
    );

    // b) A third caller and a third peer speak at once and leave mid-sentence; the agent answers, and the
    // browser and the first call hear it.
    before = app.router.ids();
    const sim3 = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
    const [peer3] = await Promise.all([joinNodePeer(app.signalingUrl), sim3.connect()]);
    await waitFor(() => newIds(before).length === 2, 'the third call and peer in the mix');
    const leaving = newIds(before);
    const long = say('I wanted to say something rather long about the quarterly budget and the travel plans');
    const turnsBefore = turns.length;
    const cutAnswer = response(
      (r) => r.speaker !== undefined && leaving.includes(r.speaker),
      'an answer to the cut-off speech',
    );
    peer3.peer.sendAudio(audioFrame(long.pcm, long.sampleRate));
    void sim3.streamAudio(audioFrame(long.pcm, long.sampleRate));
    await waitFor(() => turns.length > turnsBefore, 'their turn to start');
    const simMark2 = sim.playedMs();
    const pageMark2 = await page.count();
    await Promise.all([sim3.stop(), peer3.leave()]);
    await waitFor(() => leaving.every((id) => !app.router.has(id)), 'the third pair to leave the mix');
    expect((await cutAnswer).status).toBe('completed');
    await waitFor(
      async () => (await agentBlocksSince(simMark2, pageMark2)).every((n) => n >= 10),
      'the others hearing the answer',
    );

    // c) Garbage on both doors while the room is live: a JSON error on signaling, a refused media stream.
    const junk = new WebSocket(app.signalingUrl);
    const reply = new Promise<string>((resolve) =>
      junk.on('message', (d) => {
        if (String(d).includes('"error"')) resolve(String(d));
      }),
    );
    await new Promise((r) => junk.once('open', r));
    junk.send('{not json');
    expect(JSON.parse(await reply)).toMatchObject({ type: 'error', code: expect.any(String) });
    // Wait for each closing handshake: the server has then read everything sent before it.
    const junkClosed = new Promise((r) => junk.once('close', r));
    junk.close();
    await junkClosed;
    const bogus = new WebSocket(app.mediaStreamUrl);
    await new Promise((r) => bogus.once('open', r));
    const bogusClosed = new Promise((r) => bogus.once('close', r));
    bogus.send('{"event":"media","media":{"payload":"!!"}}');
    bogus.send('\u0000garbage');
    bogus.close();
    await bogusClosed;
    await waitFor(() => app.router.ids().length === 4, 'the room back to its four members');

    // The room is back to the device, the agent, the browser and the first call; nothing failed.
    expect(app.router.ids().sort()).toEqual(['agent', browserId, callId, 'mic_input'].sort());
    expect(app.router.mixer.stats().inputs).toHaveLength(4);
    expect(await page.state()).toBe('connected');
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  }, 180_000);
});
