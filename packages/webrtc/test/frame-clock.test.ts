import { waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { FrameClock } from '../src/index.js';

describe('FrameClock (one timer for every peer of a frame period)', () => {
  it('runs every subscriber on the same wake-ups, a late one from the next slot on, and stops with the last', async () => {
    const clock = new FrameClock(10);
    const a: number[] = [];
    const b: number[] = [];
    const onA = (_skipped: number, now: number) => a.push(now);
    const onB = (_skipped: number, now: number) => b.push(now);
    clock.add(onA);
    expect(a.length).toBe(1); // an idle clock starts with a slot at once
    clock.add(onB);
    clock.add(onB); // subscribing twice changes nothing
    expect(b.length).toBe(0); // a late subscriber waits for the clock's next slot: one grid for all
    expect(clock.stats().subscribers).toBe(2);
    await waitUntil(() => b.length >= 10, 'ten slots of the second subscriber');
    // Same slots, same clock readings: both ran on each wake-up of the one timer.
    expect(a.slice(1)).toEqual(b);
    const stats = clock.stats();
    expect(stats.slots).toBe(a.length);
    expect(stats.wakeUps).toBeGreaterThan(0);
    clock.remove(onA);
    const aSlots = a.length;
    await waitUntil(() => b.length >= 15, 'five more slots of the second subscriber');
    expect(a.length).toBe(aSlots); // removed: no more slots
    clock.remove(onB);
    expect(clock.stats().subscribers).toBe(0);
  });

  it('is one clock per period for the whole process', () => {
    expect(FrameClock.shared(20)).toBe(FrameClock.shared(20));
    expect(FrameClock.shared(20)).not.toBe(FrameClock.shared(40));
  });
});
