// The bridge treats every platform through its CallSession capabilities, never by asking which platform it
// is: a call without `clear` is not cleared on an interruption, speech events go only to a call that takes
// them, and the model's G.711 reaches a call unchanged only when the call takes that encoding.
import { EventEmitter } from 'node:events';
import { type AnyFrame, encodedFrame, isEncodedFrame, mulaw } from '@voxwire/codecs';
import type { PlaybackTracker, RealtimeClient } from '@voxwire/realtime-client';
import { waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import {
  bridgeCall,
  type CallCapabilities,
  type CallSession,
  type CallSessionEvents,
  type CallSpeechEvent,
} from '../src/index.js';

/** A platform with the given capabilities that records what the bridge asks of it. */
class FakeCall extends EventEmitter<CallSessionEvents> implements CallSession {
  readonly id = 'fake-1';
  readonly platform = 'fake';
  readonly inputSampleRate = 8000;
  readonly wireFormat = 'pcmu' as const;
  ended = false;
  readonly sent: AnyFrame[] = [];
  readonly speechEvents: CallSpeechEvent[] = [];
  clears = 0;
  constructor(readonly capabilities: CallCapabilities) {
    super();
  }
  sendAudio(frame: AnyFrame): void {
    this.sent.push(frame);
  }
  endUtterance(): void {}
  playedMs(): number {
    return 0;
  }
  sentMs(): number {
    return 0;
  }
  clear(): void {
    this.clears++;
  }
  speech(event: CallSpeechEvent): void {
    this.speechEvents.push(event);
  }
  hangup(reason = 'hangup'): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end', { reason });
  }
  async close(): Promise<void> {
    this.hangup();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The part of a RealtimeClient the bridge uses, driven by the test. */
class StubModel extends EventEmitter {
  connected = true;
  playback: PlaybackTracker | undefined;
  async connect(): Promise<void> {}
  updateSession(): void {}
  appendAudio(): void {}
  setPlayback(tracker: PlaybackTracker | undefined): void {
    this.playback = tracker;
  }
  addTool(): void {}
  removeTool(): void {}
  interrupt(): undefined {
    return undefined;
  }
  async close(): Promise<void> {
    this.connected = false;
  }
}

function setup(capabilities: CallCapabilities) {
  const call = new FakeCall(capabilities);
  const model = new StubModel();
  const bridge = bridgeCall(call, model as unknown as RealtimeClient, { quality: false });
  const bargeIns: unknown[] = [];
  bridge.on('bargeIn', (b) => bargeIns.push(b));
  return { call, model, bridge, bargeIns };
}

const speech = encodedFrame('pcmu', mulaw.encode(new Int16Array(160).fill(1000)));
const info = { responseId: 'resp_1', itemId: 'item_1', contentIndex: 0 };

describe('bridgeCall and CallSession capabilities', () => {
  it('asks a full-featured call to clear, passes it G.711 as is and tells it about speech', async () => {
    const { call, model, bridge, bargeIns } = setup({
      encodings: ['pcmu'],
      clear: true,
      confirmedPlayback: true,
      speechEvents: true,
    });
    expect(await bridge.ready).toBe(true);
    expect(model.playback).toBeDefined(); // the client owns barge-in and reads what was heard from the call
    model.emit('audio', speech, info);
    expect(call.sent).toEqual([speech]);
    model.emit('speechStarted', { itemId: 'user_1', audioStartMs: 0 });
    model.emit('interrupted', { itemId: 'item_1', playedMs: 0 });
    expect(call.clears).toBe(1);
    expect(call.speechEvents).toEqual([{ type: 'started' }]);
    expect(bargeIns).toEqual([{ itemId: 'item_1', playedMs: 0, reactionMs: 0 }]);
    await bridge.close();
    expect(model.playback).toBeUndefined();
  });

  it('does not clear a call that cannot, decodes G.711 for a PCM-only call and keeps speech to itself', async () => {
    const { call, model, bridge, bargeIns } = setup({
      encodings: [],
      clear: false,
      confirmedPlayback: false,
      speechEvents: false,
    });
    expect(await bridge.ready).toBe(true);
    model.emit('audio', speech, info);
    await waitUntil(() => call.sent.length === 1, 'the agent audio');
    const sent = call.sent[0];
    expect(isEncodedFrame(sent)).toBe(false);
    expect(Array.from(sent.data as Int16Array)).toEqual(Array.from(mulaw.decode(speech.data)));
    model.emit('speechStarted', { itemId: 'user_1', audioStartMs: 0 });
    model.emit('speechStopped', { itemId: 'user_1', audioEndMs: 500 });
    model.emit('interrupted', { itemId: 'item_1', playedMs: 0 });
    expect(call.clears).toBe(0);
    expect(call.speechEvents).toEqual([]);
    expect(bargeIns).toHaveLength(1);
    await bridge.close();
  });
});
