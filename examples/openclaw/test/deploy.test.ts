// Deployed as on a server: TLS on both listeners (a self-signed certificate the clients trust), TURN with
// credentials from the environment (a relay-only connection through a real coturn), and the page pointed
// at a separate signaling server by SIGNALING_URL (in headless Chromium).

import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { networkInterfaces } from 'node:os';
// coturn is started the way @voxwire/webrtc's own TURN tests start it (its test helper, on loopback).
import {
  CHROMIUM,
  concat,
  launchChromium,
  selfSignedCert,
  startTurnServer,
  type TurnServer,
  tone,
} from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { joinNodePeer, type NodeParticipant } from '../src/node-participant.js';
import type { OpenClaw } from '../src/openclaw.js';
import { startTestOpenClaw } from './helpers/app.js';
import { BROWSER_HZ, blockLevels, blocksWith, CALL_HZ, PROBE_HZ } from './helpers/audio.js';
import { httpsGet } from './helpers/https.js';
import { type RawTwilioCall, rawTwilioCall } from './helpers/twilio-wss.js';
import { waitFor } from './helpers/wait.js';

const I_CALL = PROBE_HZ.indexOf(CALL_HZ);
const I_BROWSER = PROBE_HZ.indexOf(BROWSER_HZ);

/** This machine's first non-loopback IPv4 address (what another machine would reach), if any. */
const LAN_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;

/** A listener in the mix (it hears everybody): what it got, at 48 kHz. */
function probe(app: OpenClaw): Int16Array[] {
  const got: Int16Array[] = [];
  app.router.add('probe', { sampleRate: 48000, send: (frame) => got.push(frame.slice()) });
  return got;
}

/** `peer` sends 2 s of the browser tone; resolves once the mix (as `heard` by a probe) carries it. */
async function heardInMix(peer: NodeParticipant['peer'], heard: Int16Array[], what: string): Promise<void> {
  const from = heard.length;
  peer.sendAudio({
    data: tone(BROWSER_HZ, 48000, 2 * 48000, 0.25),
    sampleRate: 48000,
    channels: 1,
    position: 0,
  });
  await waitFor(() => blocksWith(blockLevels(concat(...heard.slice(from)), 48000), I_BROWSER) >= 5, what);
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('OpenClaw deployed', () => {
  it('serves the page, signaling, webhook and media stream over https/wss with TLS_CERT / TLS_KEY', async () => {
    const cert = selfSignedCert();
    cleanups.push(() => cert.dispose());
    const { app } = await startTestOpenClaw(
      { device: false },
      { TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath },
    );
    cleanups.push(() => app.close());
    expect(app.pageUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/webrtc\/$/);
    expect(app.signalingUrl).toMatch(/^wss:/);
    expect(app.mediaStreamUrl).toMatch(/^wss:/);

    // A client that trusts the certificate gets the page and the Twilio side; one that does not is refused.
    const page = await httpsGet(app.pageUrl, cert.cert);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>OpenClaw</title>');
    expect((await httpsGet(`${app.httpUrl}/health`, cert.cert)).body).toContain('"status":"ok"');
    expect((await httpsGet(`${app.httpUrl}/voice-webhook`, cert.cert)).body).toContain('<Stream url="wss://');
    await expect(httpsGet(app.pageUrl)).rejects.toThrow(/self[- ]signed/i);

    // A WebRTC peer signals over wss and a call streams over wss: the peer hears the caller's 1 kHz.
    let peer: NodeParticipant | undefined;
    let call: RawTwilioCall | undefined;
    cleanups.push(
      () => peer?.leave(),
      () => call?.close(),
    );
    [peer, call] = await Promise.all([
      joinNodePeer(app.signalingUrl, { ws: { ca: cert.cert } }),
      rawTwilioCall(app.mediaStreamUrl, { ca: cert.cert }),
    ]);
    const callId = `call_${call.callSid}`;
    await waitFor(
      () => app.router.has(callId) && app.router.ids().some((id) => id.startsWith('webrtc_')),
      'both in the mix',
    );
    const heardFrom = peer.received.length;
    await call.stream(tone(CALL_HZ, 8000, 1.5 * 8000, 0.25));
    await waitFor(
      () => blocksWith(blockLevels(concat(...peer!.received.slice(heardFrom)), 48000), I_CALL) >= 5,
      'the peer hearing the caller over wss',
    );
  }, 90_000);

  it('closes connections that stall before or inside the TLS handshake, while upgraded ones stay', async () => {
    const cert = selfSignedCert();
    cleanups.push(() => cert.dispose());
    const { app } = await startTestOpenClaw(
      { device: false, handshakeTimeoutMs: 300 },
      { TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath },
    );
    cleanups.push(() => app.close());
    const peer = await joinNodePeer(app.signalingUrl, { ws: { ca: cert.cert } });
    cleanups.push(() => peer.leave());
    // One socket that never starts TLS, one that starts it and never sends its request, on each listener.
    const closed = (port: string, tlsFirst: boolean) =>
      new Promise<void>((resolve) => {
        const sock = tcpConnect(Number(port), '127.0.0.1');
        sock.on('error', () => {});
        sock.once('close', () => resolve());
        if (tlsFirst) sock.write(Buffer.from([0x16, 0x03, 0x01, 0x00])); // a ClientHello that never ends
      });
    const port = (url: string) => new URL(url).port;
    await Promise.all([
      closed(port(app.signalingUrl), false),
      closed(port(app.signalingUrl), true),
      closed(port(app.httpUrl), false),
      closed(port(app.httpUrl), true),
    ]);
    // The peer's signaling WebSocket outlived the timeout: the upgrade lifted it.
    expect(app.signaling.clientCount).toBe(1);
    expect(peer.peer.connectionState).toBe('connected');
  }, 60_000);

  it('gives the TURN credentials to its peers: a relay-only peer connects through coturn and is heard', async () => {
    const turn: TurnServer = await startTurnServer({ user: 'claw', password: 'claw-pw' });
    cleanups.push(() => turn.stop());
    const { app } = await startTestOpenClaw(
      { device: false },
      {
        ICE_SERVER_1: turn.url,
        ICE_USERNAME_1: 'claw',
        ICE_CREDENTIAL_1: 'claw-pw',
        ICE_TRANSPORT_POLICY: 'relay',
      },
    );
    cleanups.push(() => app.close());
    const heard = probe(app);
    const peer = await joinNodePeer(app.signalingUrl, {
      peer: {
        iceTransportPolicy: 'relay',
        iceServers: [{ urls: turn.url, username: 'claw', credential: 'claw-pw' }],
      },
    });
    cleanups.push(() => peer.leave());
    // OpenClaw's side runs over a relay candidate: with the relay-only policy coturn allocates one only for
    // the configured username and credential.
    const [serverPeer] = app.webrtc.connections();
    const stats = await serverPeer?.stats();
    expect(stats?.candidatePair?.local.candidateType).toBe('relay');
    expect(stats?.candidatePair?.remote.candidateType).toBe('relay');
    await heardInMix(peer.peer, heard, 'the relayed peer heard in the mix');
  }, 90_000);

  it.skipIf(LAN_ADDRESS === undefined)(
    'HOST=0.0.0.0 with TLS: the page and a call reach it on the network address, as from another machine',
    async () => {
      const cert = selfSignedCert(); // names 127.0.0.1 and localhost: the client checks the name localhost
      cleanups.push(() => cert.dispose());
      const { app } = await startTestOpenClaw(
        { device: false },
        { HOST: '0.0.0.0', TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath },
      );
      cleanups.push(() => app.close());
      const port = (url: string) => new URL(url).port;
      const page = await httpsGet(
        `https://${LAN_ADDRESS}:${port(app.pageUrl)}/webrtc/`,
        cert.cert,
        'localhost',
      );
      expect(page.status).toBe(200);
      // No loopback-only ICE address on a public HOST: the peer connects over the network address.
      const heard = probe(app);
      const peer = await joinNodePeer(`wss://${LAN_ADDRESS}:${port(app.signalingUrl)}/webrtc`, {
        ws: { ca: cert.cert, servername: 'localhost' },
        peer: { iceAdditionalHostAddresses: [] },
      });
      cleanups.push(() => peer.leave());
      const [serverPeer] = app.webrtc.connections();
      expect((await serverPeer?.stats())?.candidatePair?.local.address).toBe(LAN_ADDRESS);
      await heardInMix(peer.peer, heard, 'the peer heard in the mix');
    },
    60_000,
  );

  it.skipIf(!existsSync(CHROMIUM) || LAN_ADDRESS === undefined)(
    'a browser reaching it by network address gets a microphone over https, and is told why not over http',
    async () => {
      const cert = selfSignedCert();
      cleanups.push(() => cert.dispose());
      const [secure, plain] = await Promise.all([
        startTestOpenClaw(
          { device: false },
          { HOST: '0.0.0.0', TLS_CERT: cert.certPath, TLS_KEY: cert.keyPath },
        ),
        startTestOpenClaw({ device: false }, { HOST: '0.0.0.0' }),
      ]);
      cleanups.push(
        () => secure.app.close(),
        () => plain.app.close(),
      );
      // Chromium trusts exactly this certificate (by its public key), as a browser trusts a real one.
      const spki = createHash('sha256')
        .update(new X509Certificate(cert.cert).publicKey.export({ type: 'spki', format: 'der' }))
        .digest('base64');
      const browser = await launchChromium({ extraArgs: [`--ignore-certificate-errors-spki-list=${spki}`] });
      cleanups.push(() => browser.close());
      const onLan = (url: string) => url.replace('127.0.0.1', LAN_ADDRESS as string);
      const call = async (pageUrl: string) => {
        const page = await browser.context.newPage();
        await page.goto(pageUrl);
        await page.click('#call');
        await page.waitForFunction(() =>
          /connected|error/.test(document.getElementById('status')?.textContent ?? ''),
        );
        return page.evaluate(() => document.getElementById('status')?.textContent);
      };
      // http on a network address is no secure context: no microphone, and the page says why.
      expect(await call(onLan(plain.app.pageUrl))).toMatch(/insecure origin/);
      expect(plain.app.router.ids().some((id) => id.startsWith('webrtc_'))).toBe(false);
      // https: the page's Call button gets the (fake) microphone and joins over wss.
      expect(await call(onLan(secure.app.pageUrl))).toBe('connected');
      await waitFor(
        () => secure.app.router.ids().some((id) => id.startsWith('webrtc_')),
        'the browser in the mix',
      );
    },
    90_000,
  );

  it.skipIf(!existsSync(CHROMIUM))(
    'points the page at SIGNALING_URL and hands the browser the TURN credentials',
    async () => {
      const turn: TurnServer = await startTurnServer({ user: 'web', password: 'web-pw' });
      cleanups.push(() => turn.stop());
      // B is the signaling server (and room) the page must use; A only serves the page.
      const { app: b } = await startTestOpenClaw({ device: false });
      cleanups.push(() => b.close());
      const { app: a } = await startTestOpenClaw(
        { device: false },
        {
          SIGNALING_URL: b.signalingUrl,
          ICE_SERVER_1: turn.url,
          ICE_USERNAME_1: 'web',
          ICE_CREDENTIAL_1: 'web-pw',
        },
      );
      cleanups.push(() => a.close());
      const browser = await launchChromium();
      cleanups.push(() => browser.close());
      const page = await browser.context.newPage();
      await page.addInitScript(() => {
        // Record what the page gives RTCPeerConnection.
        const Original = window.RTCPeerConnection;
        const seen: RTCConfiguration[] = [];
        (window as unknown as { pcConfigs: RTCConfiguration[] }).pcConfigs = seen;
        window.RTCPeerConnection = class extends Original {
          constructor(config?: RTCConfiguration) {
            seen.push(JSON.parse(JSON.stringify(config ?? {})) as RTCConfiguration);
            super(config);
          }
        } as typeof RTCPeerConnection;
      });
      // The page's own Call button (Chromium's fake microphone): the call lands in B, not in A.
      await page.goto(a.pageUrl);
      await page.click('#call');
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'connected');
      await waitFor(() => b.router.ids().some((id) => id.startsWith('webrtc_')), 'the browser in B');
      expect(a.router.ids().some((id) => id.startsWith('webrtc_'))).toBe(false);
      const configs = await page.evaluate(
        () => (window as unknown as { pcConfigs: RTCConfiguration[] }).pcConfigs,
      );
      expect(configs).toEqual([
        expect.objectContaining({ iceServers: [{ urls: turn.url, username: 'web', credential: 'web-pw' }] }),
      ]);
      // Hang up from the same button: B's room lets the browser go.
      await page.click('#call');
      await waitFor(() => !b.router.ids().some((id) => id.startsWith('webrtc_')), 'the browser to leave B');
      await page.close();
    },
    90_000,
  );
});
