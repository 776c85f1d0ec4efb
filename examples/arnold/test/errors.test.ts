// Arnold's errors on their own: each a VoxwireError with a SCREAMING_SNAKE code, and what a client gets of it
// (the lowercase wire code of a refused stream message, the HTTP status of an /audio/* request, the status
// of a session start refused to the terminal client).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isVoxwireError } from '@voxwire/core';
import { describe, expect, it } from 'vitest';
import { AudioEndpointError, decodeWavBody } from '../src/audio-endpoints.js';
import { ArnoldCli, ArnoldCliError } from '../src/client/cli.js';
import { ClientInputError, checkPcmFrame, parseControl } from '../src/client-input.js';

/** What `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('errors', () => {
  it('ClientInputError: SCREAMING_SNAKE code, the wire spelling in wireCode', () => {
    const cases: Array<[() => unknown, string, string]> = [
      [() => parseControl('{"type": '), 'INVALID_JSON', 'invalid_json'],
      [() => parseControl('[]'), 'INVALID_MESSAGE', 'invalid_message'],
      [() => parseControl('{"type": "launch_rocket"}'), 'UNKNOWN_TYPE', 'unknown_type'],
      [() => checkPcmFrame(new Uint8Array(3)), 'INVALID_AUDIO', 'invalid_audio'],
    ];
    for (const [fn, code, wireCode] of cases) {
      const err = thrown(fn);
      expect(err).toBeInstanceOf(ClientInputError);
      expect(isVoxwireError(err, code)).toBe(true);
      expect((err as ClientInputError).wireCode).toBe(wireCode);
    }
    expect(new ClientInputError('BUSY', 'wait').wireCode).toBe('busy');
  });

  it('AudioEndpointError: a code and the HTTP status it answers with', () => {
    const err = thrown(() => decodeWavBody(Buffer.from('not a wav file')));
    expect(err).toBeInstanceOf(AudioEndpointError);
    expect(isVoxwireError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect((err as AudioEndpointError).status).toBe(400);
    expect(new AudioEndpointError('LIMIT_EXCEEDED', 'too long').status).toBe(413);
    expect(new AudioEndpointError('TIMEOUT', 'late').status).toBe(504);
  });

  it('ArnoldCliError: a refused session start is SESSION_REFUSED with its HTTP status', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"missing token"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const err = await new ArnoldCli({ url: `http://127.0.0.1:${port}`, audio: false })
        .start()
        .catch((e) => e);
      expect(err).toBeInstanceOf(ArnoldCliError);
      expect(isVoxwireError(err, 'SESSION_REFUSED')).toBe(true);
      expect(err).toMatchObject({ status: 401, message: 'HTTP 401: missing token' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
