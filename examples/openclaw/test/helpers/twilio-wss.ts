// A Twilio media stream over a WebSocket the test opens itself (TwilioSimulator cannot be given a CA to trust
// a private certificate): the `connected` and `start` events, then μ-law frames paced at 20 ms.
import { randomUUID } from 'node:crypto';
import { mulaw } from '@voxwire/codecs';
import { type ClientOptions, WebSocket } from 'ws';

/** A call streaming into OpenClaw; `callSid` is its id in the mix (`call_<callSid>`). */
export interface RawTwilioCall {
  callSid: string;
  /** Sends 8 kHz PCM as 20 ms μ-law frames in real time; resolves after the last one. */
  stream(pcm8k: Int16Array): Promise<void>;
  close(): Promise<void>;
}

export async function rawTwilioCall(url: string, options: ClientOptions): Promise<RawTwilioCall> {
  const ws = new WebSocket(url, options);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const callSid = `CA${randomUUID().replace(/-/g, '')}`;
  const streamSid = `MZ${randomUUID().replace(/-/g, '')}`;
  ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  ws.send(
    JSON.stringify({
      event: 'start',
      sequenceNumber: '1',
      streamSid,
      start: {
        streamSid,
        callSid,
        accountSid: `AC${'0'.repeat(32)}`,
        tracks: ['inbound'],
        customParameters: {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    }),
  );
  let seq = 2;
  let chunk = 1;
  return {
    callSid,
    stream: (pcm8k) =>
      new Promise<void>((resolve) => {
        let at = 0;
        const timer = setInterval(() => {
          if (at >= pcm8k.length || ws.readyState !== WebSocket.OPEN) {
            clearInterval(timer);
            resolve();
            return;
          }
          const frame = pcm8k.subarray(at, at + 160);
          const payload = Buffer.from(mulaw.encode(frame)).toString('base64');
          ws.send(
            JSON.stringify({
              event: 'media',
              sequenceNumber: String(seq++),
              streamSid,
              media: { track: 'inbound', chunk: String(chunk++), timestamp: String(at / 8), payload },
            }),
          );
          at += 160;
        }, 20);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.send(
          JSON.stringify({ event: 'stop', sequenceNumber: String(seq++), streamSid, stop: { callSid } }),
        );
        ws.close();
      }),
  };
}
