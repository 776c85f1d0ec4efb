import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { closeOnce, emitError, VoxwireError } from '../src/index.js';

describe('closeOnce', () => {
  it('runs the release once and gives every caller the same promise', async () => {
    let runs = 0;
    const close = closeOnce(async () => {
      runs++;
    });
    const a = close();
    const b = close();
    expect(a).toBe(b);
    await Promise.all([a, b, close()]);
    expect(runs).toBe(1);
  });

  it('works with await using through Symbol.asyncDispose', async () => {
    const released: string[] = [];
    {
      const close = closeOnce(async () => {
        released.push('socket');
      });
      await using _res = { close, [Symbol.asyncDispose]: close };
    }
    expect(released).toEqual(['socket']);
  });
});

describe('emitError', () => {
  it('delivers to error listeners when there are any', () => {
    const e = new EventEmitter();
    const got: Error[] = [];
    e.on('error', (err) => got.push(err));
    const err = new VoxwireError('BAD', 'bad');
    expect(emitError(e, err)).toBe(true);
    expect(got).toEqual([err]);
  });

  it('turns an unheard error into a process warning instead of throwing', async () => {
    const e = new EventEmitter();
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const err = new VoxwireError('BAD', 'nobody listens');
    expect(emitError(e, err)).toBe(false);
    expect(await warned).toBe(err);
  });
});
