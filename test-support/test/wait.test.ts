import { describe, expect, it } from 'vitest';
import { waitUntil } from '../src/index.js';

describe('waitUntil', () => {
  it('resolves once a condition set by another task holds, sync or async', async () => {
    let done = false;
    setImmediate(() => {
      done = true;
    });
    await waitUntil(() => done, 'the flag');
    let polls = 0;
    await waitUntil(async () => ++polls >= 3, 'the third poll');
    expect(polls).toBe(3);
  });

  it('rejects naming what it waited for when the condition never holds', async () => {
    await expect(waitUntil(() => false, 'the impossible', 50)).rejects.toThrow(/the impossible/);
  });
});
