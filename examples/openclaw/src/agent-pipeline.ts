// Step 5 of the design: the mix feeds a realtime speech-to-speech session; its answer becomes the `agent`
// input of the mix, so the device, every WebRTC peer and every call hear it (and the model does not).
import { EventEmitter } from 'node:events';
import { audioFrame, isEncodedFrame } from '@voxwire/codecs';
import type { RealtimeClient, RealtimeClientEvents } from '@voxwire/realtime-client';
import type { Logger } from './logger.js';
import type { AudioRouter } from './router.js';

/** The mixer input carrying the model's voice. */
export const AGENT_ID = 'agent';

/** A user turn the model detected, attributed to the loudest participant at its start. */
export interface TurnEvent {
  itemId: string;
  /** Participant id (`mic_input`, `webrtc_<id>`, `call_<sid>`) or undefined when nobody was loud. */
  speaker: string | undefined;
}

/** A finished model response. */
export interface ResponseEvent {
  responseId: string;
  status: string;
  /** Who spoke the turn it answers. */
  speaker: string | undefined;
  transcript: string;
  /** Audio the model sent for it, ms. */
  audioMs: number;
}

/** Events of {@link AgentPipeline}. */
export interface AgentPipelineEvents {
  turn: [turn: TurnEvent];
  response: [response: ResponseEvent];
}

/** Wires a connected {@link RealtimeClient} into an {@link AudioRouter}. */
export class AgentPipeline extends EventEmitter<AgentPipelineEvents> {
  /** Responses completed / turns detected / model audio received (ms), for the monitor. */
  readonly counters = { turns: 0, responses: 0, audioMs: 0, bargeIns: 0 };
  private lastSpeaker: string | undefined;
  private responseAudioMs = 0;
  private transcript = '';
  private readonly unsubscribe: (() => void)[] = [];
  private readonly outputRate = 24000;

  constructor(
    readonly router: AudioRouter,
    readonly client: RealtimeClient,
    private readonly log: Logger,
  ) {
    super();
  }

  /** Adds the agent to the mix and starts streaming the mix (minus the agent) to the model. */
  start(): void {
    const client = this.client;
    this.router.add(AGENT_ID, {
      sampleRate: this.outputRate,
      // The model may send its answer faster than real time (OpenAI does): let up to 30 s queue.
      maxBufferMs: 30_000,
      jitterMs: 60,
      send: (frame, rate) => client.appendAudio(audioFrame(frame, rate)),
    });
    this.unsubscribe.push(
      this.listen('audio', (frame) => {
        if (isEncodedFrame(frame)) return; // the session's output is PCM16
        const { data: pcm, sampleRate } = frame;
        if (sampleRate !== this.outputRate) {
          this.log.warn('model audio at an unexpected rate, dropped', { sampleRate });
          return;
        }
        this.responseAudioMs += (pcm.length * 1000) / sampleRate;
        this.counters.audioMs += (pcm.length * 1000) / sampleRate;
        this.router.push(AGENT_ID, pcm);
      }),
      this.listen('transcript', (t) => {
        if (t.done) this.transcript = t.text;
      }),
      this.listen('speechStarted', ({ itemId }) => {
        // Barge-in: whatever of the answer is still queued is not played (the server cancels the response).
        const queued = this.router.inputs().find((s) => s.id === AGENT_ID)?.bufferedMs ?? 0;
        if (queued > 0) {
          this.counters.bargeIns++;
          this.router.flush(AGENT_ID);
        }
        const speaker = this.router.loudest([AGENT_ID]);
        this.lastSpeaker = speaker;
        this.counters.turns++;
        this.log.info('user turn', { itemId, speaker, droppedAgentMs: Math.round(queued) });
        this.emit('turn', { itemId, speaker });
      }),
      this.listen('responseDone', ({ responseId, status }) => {
        const response: ResponseEvent = {
          responseId,
          status: String(status),
          speaker: this.lastSpeaker,
          transcript: this.transcript,
          audioMs: Math.round(this.responseAudioMs),
        };
        this.responseAudioMs = 0;
        this.transcript = '';
        this.counters.responses++;
        this.log.info('agent response', { ...response });
        this.emit('response', response);
      }),
      this.listen('error', (err) =>
        this.log.warn('realtime error', { code: err.code, message: err.message }),
      ),
      // While the model is unreachable the client queues a bounded amount of the mix and drops the oldest.
      this.listen('overflow', (info) =>
        this.log.warn('model input overflow: oldest audio dropped', { ...info }),
      ),
      this.listen('reconnecting', (info) =>
        this.log.warn('model connection lost, reconnecting', { ...info }),
      ),
      this.listen('reconnected', () => this.log.info('model reconnected')),
    );
  }

  /** Subscribes to a client event; returns the matching unsubscribe for {@link stop}. */
  private listen<K extends keyof RealtimeClientEvents>(
    event: K,
    listener: (...args: RealtimeClientEvents[K]) => void,
  ): () => void {
    const on = this.client.on.bind(this.client) as (e: K, l: typeof listener) => unknown;
    const off = this.client.off.bind(this.client) as (e: K, l: typeof listener) => unknown;
    on(event, listener);
    return () => off(event, listener);
  }

  /** Leaves the mix and stops listening to the client (the client itself is closed by its owner). */
  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.router.remove(AGENT_ID);
  }
}
