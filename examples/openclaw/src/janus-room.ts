// ROOM=janus: OpenClaw joins a Janus AudioBridge room as one participant. Janus mixes the room (browsers and
// other agents that joined it directly, any number of machines); OpenClaw's leg sends the room everything it
// has locally (device microphone, calls, its own P2P peers, the agent) and pushes the room's mix into its
// own mixer as the participant `janus_<room>`, so the agent hears and answers the Janus room too.
import { type AsyncCloseable, closeOnce } from '@voxwire/core';
import { JanusAudioBridge, JanusClient, type WebRtcAudioPeerOptions } from '@voxwire/webrtc';
import type { RoomConfig } from './config.js';
import type { Logger } from './logger.js';
import { addPeerParticipant } from './peer-participant.js';
import type { AudioRouter } from './router.js';

/** OpenClaw's leg in a Janus AudioBridge room. */
export class JanusRoom implements AsyncCloseable {
  /** The mixer input of the room's mix. */
  readonly id: string;
  private detach: (() => void) | undefined;
  private closing = false;

  private constructor(
    readonly client: JanusClient,
    readonly bridge: JanusAudioBridge,
    private readonly router: AudioRouter,
    roomId: number,
  ) {
    this.id = `janus_${roomId}`;
  }

  /**
   * Connects to Janus, creates the room when it does not exist, joins it and routes it (see file comment).
   * @throws JanusError / WebRtcError when Janus refuses (wrong API secret, PIN, admin key) or cannot be reached
   */
  static async join(
    room: Extract<RoomConfig, { kind: 'janus' }>,
    router: AudioRouter,
    peer: WebRtcAudioPeerOptions,
    log: Logger,
    onDrop: () => void,
  ): Promise<JanusRoom> {
    const client = new JanusClient({ url: room.url, apiSecret: room.apiSecret });
    const bridge = new JanusAudioBridge(client, { peer });
    const self = new JanusRoom(client, bridge, router, room.roomId);
    try {
      await client.connect();
      if (!(await bridge.exists(room.roomId))) {
        await bridge.createRoom({
          room: room.roomId,
          pin: room.pin,
          adminKey: room.adminKey,
          samplingRate: 48000,
        });
        log.info('created the Janus room', { room: room.roomId });
      }
      const attach = () => {
        const p = bridge.peer;
        if (!p) return;
        self.detach?.();
        if (router.has(self.id)) router.remove(self.id);
        self.detach = addPeerParticipant(router, self.id, p, onDrop);
      };
      bridge.on('joined', attach);
      bridge.on('rejoined', attach);
      bridge.on('participant-joined', (p) =>
        log.info('joined the Janus room', { room: room.roomId, display: p.display }),
      );
      bridge.on('participant-left', (p) =>
        log.info('left the Janus room', { room: room.roomId, display: p.display }),
      );
      bridge.on('error', (err) => log.warn('Janus room error', { code: err.code, message: err.message }));
      // An unheard 'error' would throw out of the emitter and end the process: Janus going away is logged.
      client.on('error', (err) =>
        log.warn('Janus connection error', { code: err.code, message: err.message }),
      );
      client.on('disconnected', (reason) => log.warn('Janus connection lost, reconnecting', { reason }));
      // Kicked, or the room was destroyed: the room leaves the mix (a Janus restart rejoins instead).
      bridge.on('left', () => {
        self.detach?.();
        self.detach = undefined;
        router.remove(self.id);
        if (!self.closing) log.warn('removed from the Janus room', { room: room.roomId });
      });
      const joined = await bridge.join(room.roomId, { display: 'OpenClaw', pin: room.pin });
      log.info('in the Janus room', { room: room.roomId, participants: joined.participants.length });
      return self;
    } catch (err) {
      await self.close();
      throw err;
    }
  }

  /** Leaves the room and disconnects. Safe to call more than once. */
  readonly close: () => Promise<void> = closeOnce(async () => {
    this.closing = true;
    this.detach?.();
    this.router.remove(this.id);
    await this.bridge.close();
    await this.client.close();
  });

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
