import { EventEmitter } from 'node:events';
import type { AsyncCloseable } from '@voxwire/core';
import { WebRtcError } from '../errors.js';
import type { JanusClient } from './client.js';
import type { JanusIncoming, JanusJsep, JanusPluginData, JanusPluginResponse } from './messages.js';

/** Why a handle stopped: `detach()` was called, Janus detached it, or the session was lost. */
export type JanusDetachReason = 'detached' | 'session-lost' | 'disconnected';

/** Events of {@link JanusHandle}. */
export interface JanusHandleEvents {
  /** A plugin event that is not the answer to one of our requests (participants joining, leaving, …). */
  event: [data: JanusPluginData, jsep: JanusJsep | undefined];
  /** Janus' PeerConnection for this handle is up (ICE and DTLS done). */
  webrtcup: [];
  /** Janus started or stopped receiving our media. */
  media: [info: { type: string; receiving: boolean }];
  /** Janus' PeerConnection for this handle was closed. */
  hangup: [reason: string];
  /** The handle is gone; requests on it fail from now on. */
  detached: [reason: JanusDetachReason];
}

/**
 * One attachment to a Janus plugin: plugin messages go through it, plugin events come out of it. `detach()`
 * (also `close()`, `await using`) releases it.
 */
export class JanusHandle extends EventEmitter<JanusHandleEvents> implements AsyncCloseable {
  private gone = false;

  /** @internal created by {@link JanusClient.attach} */
  constructor(
    private readonly client: JanusClient,
    /** Janus' handle id. */
    readonly id: number,
    /** The plugin's package name, e.g. `janus.plugin.audiobridge`. */
    readonly plugin: string,
  ) {
    super();
  }

  /** Whether the handle has been detached (by us, by Janus, or because the session was lost). */
  get isDetached(): boolean {
    return this.gone;
  }

  /**
   * Sends a plugin message and resolves with the plugin's answer: the synchronous `success`, or for
   * asynchronous requests (join, configure, …) the event that follows Janus' `ack`.
   * @throws JanusError `JANUS_ERROR` when the plugin answers with an `error_code` (its number in `janusCode`),
   *   WebRtcError `TIMEOUT` / `disconnected`
   */
  async message(body: Record<string, unknown>, jsep?: JanusJsep): Promise<JanusPluginResponse> {
    this.assertAttached();
    const what = `${this.plugin} ${String(body.request ?? 'message')}`;
    const res = await this.client.send({ janus: 'message', handle_id: this.id, body, jsep }, true, what);
    return { data: res.plugindata?.data ?? {}, jsep: res.jsep };
  }

  /** Sends a trickled ICE candidate, or `null` for end-of-candidates. */
  async trickle(
    candidate: { candidate: string; sdpMid?: string; sdpMLineIndex?: number } | null,
  ): Promise<void> {
    this.assertAttached();
    await this.client.send(
      { janus: 'trickle', handle_id: this.id, candidate: candidate ?? { completed: true } },
      false,
      'trickle',
    );
  }

  /** Closes Janus' PeerConnection for this handle (the handle stays attached). */
  async hangup(): Promise<void> {
    if (this.gone) return;
    await this.client.send({ janus: 'hangup', handle_id: this.id }, false, 'hangup').catch(() => undefined);
  }

  /** Detaches from the plugin. Safe to call more than once. */
  async detach(): Promise<void> {
    if (this.gone) return;
    try {
      await this.client.send({ janus: 'detach', handle_id: this.id }, false, `detach ${this.plugin}`);
    } catch {
      // Gone already (session lost, socket down): nothing left to detach.
    }
    this.markDetached('detached');
  }

  /** Same as {@link detach}: the lifecycle name every voxwire resource has. */
  close(): Promise<void> {
    return this.detach();
  }

  /** `await using handle = await janus.attach(…)` detaches it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.detach();
  }

  /** @internal */
  markDetached(reason: JanusDetachReason): void {
    if (this.gone) return;
    this.gone = true;
    this.client.forget(this.id);
    this.emit('detached', reason);
  }

  /** @internal an unsolicited message for this handle */
  dispatch(msg: JanusIncoming): void {
    switch (msg.janus) {
      case 'event':
        if (msg.plugindata) this.emit('event', msg.plugindata.data, msg.jsep);
        break;
      case 'webrtcup':
        this.emit('webrtcup');
        break;
      case 'media':
        this.emit('media', { type: String(msg.type), receiving: msg.receiving === true });
        break;
      case 'hangup':
        this.emit('hangup', String(msg.reason ?? ''));
        break;
      case 'detached':
        this.markDetached('detached');
        break;
    }
  }

  private assertAttached(): void {
    if (this.gone) throw new WebRtcError('CLOSED', `${this.plugin} handle ${this.id} is detached`);
  }
}
