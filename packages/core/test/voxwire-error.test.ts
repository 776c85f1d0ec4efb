import { describe, expect, it } from 'vitest';
import { isVoxwireError, VoxwireError } from '../src/index.js';

class DeviceError extends VoxwireError<'NO_DEVICE' | 'BUSY'> {}

describe('VoxwireError', () => {
  it('carries a code, the subclass name and a cause', () => {
    const cause = new Error('ENOENT');
    const err = new DeviceError('NO_DEVICE', 'no such device', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(VoxwireError);
    expect(err.code).toBe('NO_DEVICE');
    expect(err.name).toBe('DeviceError');
    expect(err.cause).toBe(cause);
    expect(String(err)).toBe('DeviceError: no such device');
    expect(err.stack).toContain('voxwire-error.test.ts');
  });

  it('isVoxwireError matches by class and code, and not plain errors with a code', () => {
    const err = new DeviceError('BUSY', 'in use');
    expect(isVoxwireError(err)).toBe(true);
    expect(isVoxwireError(err, 'BUSY')).toBe(true);
    expect(isVoxwireError(err, 'NO_DEVICE')).toBe(false);
    const nodeError = Object.assign(new Error('x'), { code: 'ECONNRESET' });
    expect(isVoxwireError(nodeError)).toBe(false);
    expect(isVoxwireError({ code: 'BUSY', message: 'x' })).toBe(false);
    expect(isVoxwireError(undefined)).toBe(false);
  });

  it('isVoxwireError recognises an error from another copy of the package', () => {
    // A second installed copy defines its own VoxwireError class with the same name.
    const Other = class VoxwireError extends Error {
      constructor(
        readonly code: string,
        message: string,
      ) {
        super(message);
      }
    };
    class OtherSub extends Other {}
    expect(isVoxwireError(new OtherSub('QUEUE_FULL', 'full'), 'QUEUE_FULL')).toBe(true);
    expect(isVoxwireError(new OtherSub('lower_case', 'x'))).toBe(false);
  });
});
