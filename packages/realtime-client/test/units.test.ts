// Unit tests of single classes (no sockets): backoff, send queue, playback timeline, conversation, metrics.
import { describe, expect, it } from 'vitest';
import { AudioInputEncoder } from '../src/audio-input.js';
import { Conversation } from '../src/conversation.js';
import { backoffDelay, DEFAULT_RECONNECT, PlaybackTimeline, parseToolArguments } from '../src/index.js';
import { SendQueue } from '../src/send-queue.js';

describe('backoffDelay', () => {
  it('grows by factor, caps at maxDelayMs, and jitters within [d/2, d] by default', () => {
    const p = { ...DEFAULT_RECONNECT };
    expect(p).toEqual({ maxRetries: 5, initialDelayMs: 1000, maxDelayMs: 60000, factor: 2, jitter: 0.5 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => backoffDelay(p, a, () => 0.999999))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000,
    ]);
    expect([1, 2, 3].map((a) => backoffDelay(p, a, () => 0))).toEqual([500, 1000, 2000]);
    const samples = Array.from({ length: 200 }, () => backoffDelay(p, 3));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });
});

describe('SendQueue', () => {
  it('drops oldest audio only, keeps control events and order', () => {
    const q = new SendQueue(100);
    q.push('c'.repeat(10), 0);
    for (let i = 0; i < 5; i++) q.push(`${i}`.repeat(30), 100);
    expect(q.queuedBytes).toBeLessThanOrEqual(100);
    const out: string[] = [];
    for (let s = q.shift(); s !== undefined; s = q.shift()) out.push(s[0]);
    expect(out).toEqual(['c', '2', '3', '4']); // 10 + 3 × 30 bytes fit; '0' and '1' were dropped
    const q2 = new SendQueue(10);
    q2.push('x'.repeat(20), 0);
    expect(q2.push('y'.repeat(20), 0)).toBeNull(); // nothing droppable: control events are kept
    expect(q2.clear()).toEqual({ messages: 2, audioMessages: 0, audioMs: 0 });
  });
});

describe('PlaybackTimeline', () => {
  it('maps a played position onto items, never backwards, clamped to what was queued; reset drops the unplayed', () => {
    const t = new PlaybackTimeline();
    t.onAudio('a', 2400, 24000); // 100 ms
    t.onAudio('a', 2400, 24000); // 200 ms
    t.onAudio('b', 800, 8000); // +100 ms
    t.setPlayedMs(150);
    expect(t.playedMs('a')).toBe(150);
    expect(t.playedMs('b')).toBe(0);
    t.setPlayedMs(100); // stale report
    expect(t.playedMs('a')).toBe(150);
    t.advance(100);
    expect([t.playedMs('a'), t.playedMs('b')]).toEqual([200, 50]);
    t.setPlayedMs(10_000);
    expect(t.totalPlayedMs).toBe(300);
    const u = new PlaybackTimeline();
    u.onAudio('a', 24000, 24000);
    u.setPlayedMs(250);
    u.reset();
    expect(u.queuedMs).toBe(250);
    u.onAudio('c', 2400, 24000);
    u.setPlayedMs(300);
    expect([u.playedMs('a'), u.playedMs('c')]).toEqual([250, 50]);
  });
});

describe('Conversation', () => {
  it('is bounded, keeps no audio by default, and restores truncated text only up to what was heard', () => {
    const c = new Conversation(3, false);
    for (let i = 0; i < 5; i++)
      c.upsert({
        id: `u${i}`,
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: `t${i}` }],
      });
    expect(c.items().map((i) => i.id)).toEqual(['u2', 'u3', 'u4']);
    const d = new Conversation(10, false);
    d.upsert({ id: 'a', type: 'message', role: 'assistant', content: [] });
    d.appendText('a', 'one two three four');
    d.addAudio('a', new Int16Array(24000), 24000);
    expect(d.get('a')?.audio).toBeUndefined();
    d.markTruncated('a', 500);
    d.upsert({ id: 'f', type: 'function_call', call_id: 'c1', name: 'x', arguments: '{}' });
    d.upsert({ id: 'g', type: 'function_call', call_id: 'c2', name: 'y', arguments: '{}' }); // no output: dropped
    d.upsert({ id: 'o', type: 'function_call_output', call_id: 'c1', output: '"ok"' });
    expect(d.restorable(new Set())).toEqual([
      { type: 'message', role: 'assistant', id: 'a', content: [{ type: 'output_text', text: 'one two…' }] },
      { type: 'function_call', id: 'f', call_id: 'c1', name: 'x', arguments: '{}' },
      { type: 'function_call_output', id: 'o', call_id: 'c1', output: '"ok"' },
    ]);
    expect(d.restorable(new Set(['c2'])).map((i) => i.id)).toEqual(['a', 'f', 'g', 'o']);
    const keep = new Conversation(10, true);
    keep.upsert({ id: 'a', type: 'message', role: 'assistant' });
    const pcm = new Int16Array([1, 2, 3]);
    keep.addAudio('a', pcm, 24000);
    pcm[0] = 9;
    expect(keep.get('a')?.audio).toEqual([new Int16Array([1, 2, 3])]);
  });
});

describe('helpers', () => {
  it('tool argument parsing', () => {
    expect(parseToolArguments('')).toEqual({ ok: true, value: {} });
    expect(parseToolArguments('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseToolArguments('{a:1}').ok).toBe(false);
  });
});

describe('AudioInputEncoder', () => {
  it('sends the same batches however the input is chunked (resampler state kept across calls)', () => {
    const input = new Int16Array(16000 * 2);
    for (let i = 0; i < input.length; i++)
      input[i] = Math.round(Math.sin(i / 5) * 12000 + Math.sin(i / 1.7) * 3000);
    const run = (sizes: () => number) => {
      const enc = new AudioInputEncoder({ type: 'audio/pcm', rate: 24000 }, 100);
      const out: Array<[string, number]> = [];
      const sink = (b64: string, ms: number) => out.push([b64, ms]);
      for (let i = 0; i < input.length; ) {
        const n = Math.min(sizes(), input.length - i);
        enc.push(input.subarray(i, i + n), 16000, sink);
        i += n;
      }
      enc.flush(sink);
      return out;
    };
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % 700; // includes empty chunks
    };
    const whole = run(() => input.length);
    expect(run(random)).toEqual(whole);
    expect(run(() => 1).slice(0, 5)).toEqual(whole.slice(0, 5));
    expect(whole.slice(0, -1).every(([, ms]) => ms === 100)).toBe(true);
    expect(whole.reduce((n, [b64]) => n + Buffer.from(b64, 'base64').length / 2, 0)).toBe(48000);
  });
});
