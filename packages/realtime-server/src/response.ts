import type {
  ConversationItem,
  RealtimeAudioFormat,
  RealtimeFunctionCallItem,
  RealtimeMessageItem,
  RealtimeResponseObject,
  SessionTool,
  SessionToolChoice,
} from '@voxwire/realtime-protocol';
import { formatSampleRate } from '@voxwire/realtime-protocol';
import { encodeOutputAudio } from './audio/format.js';
import type { Conversation, ItemRecord, SpeechProgress } from './conversation.js';
import type { RealtimeEngines, ResponderItem, ResponderReply } from './engines/types.js';
import { RealtimeServerError } from './errors.js';
import type { IdFactory } from './ids.js';
import { itemText } from './items.js';
import { Pacer, type PacingMode } from './pacer.js';
import { functionTools, responderToolChoice } from './session-config.js';
import { heardText, spokenWords } from './speech.js';
import { SpeechBuffer } from './speech-stream.js';
import { audioTokens, makeUsage, textTokens } from './usage.js';

/** Everything one response needs, resolved from the session and the `response.create` overrides. */
export interface ResponseSettings {
  instructions: string;
  tools: SessionTool[];
  toolChoice: SessionToolChoice;
  modalities: Array<'audio' | 'text'>;
  format: RealtimeAudioFormat;
  voice: string;
  speed: number;
  maxOutputTokens: number | 'inf';
  /** `false` for `conversation: "none"` (out-of-band): output items are not added to the conversation. */
  addToConversation: boolean;
  /** Explicit context (`response.input`); otherwise the whole conversation. */
  input?: ItemRecord[];
  metadata: Record<string, string> | null;
}

/** What a response needs from its session. */
export interface ResponseHost {
  readonly sessionId: string;
  readonly conversationId: string;
  readonly engines: RealtimeEngines;
  readonly ids: IdFactory;
  readonly conversation: Conversation;
  readonly pacing: PacingMode;
  readonly chunkMs: number;
  /** Playback speeds per second in `ahead` pacing. */
  readonly aheadSpeed: number;
  emit(type: string, fields: Record<string, unknown>): void;
  /** Called once with the final response object, after `response.done` was sent. */
  finished(response: RealtimeResponseObject, outputTokens: number): void;
}

type StopReason = 'turn_detected' | 'client_cancelled';

const ARGUMENT_DELTA_CHARS = 24;

/**
 * One response: asks the responder, then streams the GA event sequence (`response.created`, per output
 * item `output_item.added` → `conversation.item.added` → content part / audio + transcript deltas or
 * function-call argument deltas → `.done` events → `conversation.item.done` → `output_item.done`, and
 * finally `response.done` with usage). Cancellation closes every open scope with what was sent so far.
 */
export class ResponseRun {
  readonly id: string;
  private readonly abort = new AbortController();
  private stopReason: StopReason | null = null;
  private readonly response: RealtimeResponseObject;
  private outputTextTokens = 0;
  private outputAudioMs = 0;
  /** Item ids this response created, for truncation of an in-progress item. */
  readonly itemIds = new Set<string>();
  /** `previous_item_id` of each output item as inserted into the conversation. */
  private readonly previousIds = new Map<string, string | null>();

  constructor(
    private readonly host: ResponseHost,
    private readonly settings: ResponseSettings,
    private readonly index: number,
  ) {
    this.id = host.ids.next('resp');
    this.response = {
      object: 'realtime.response',
      id: this.id,
      status: 'in_progress',
      status_details: null,
      output: [],
      conversation_id: settings.addToConversation ? host.conversationId : null,
      output_modalities: settings.modalities,
      max_output_tokens: settings.maxOutputTokens,
      audio: { output: { format: settings.format, voice: settings.voice } },
      usage: null,
      metadata: settings.metadata,
    };
  }

  /** Stops generation; the run then finishes with status `cancelled`. */
  cancel(reason: StopReason): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.abort.abort();
  }

  /** Runs to completion (or cancellation). Never rejects: failures end as a `failed` response. */
  async run(): Promise<void> {
    this.host.emit('response.created', { response: this.snapshot() });
    let reply: ResponderReply;
    try {
      const items = await this.context();
      if (this.abort.signal.aborted) return this.finish();
      reply = await this.host.engines.responder.respond({
        instructions: this.settings.instructions,
        tools: functionTools(this.settings.tools),
        toolChoice: responderToolChoice(this.settings.toolChoice),
        items,
        sessionId: this.host.sessionId,
        responseIndex: this.index,
        signal: this.abort.signal,
      });
    } catch (err) {
      return this.fail(`responder ${this.host.engines.responder.name} failed: ${(err as Error).message}`);
    }
    try {
      let outputIndex = 0;
      if (reply.text && !this.abort.signal.aborted) await this.message(reply.text, outputIndex++);
      const calls = responderToolChoice(this.settings.toolChoice) === 'none' ? [] : (reply.toolCalls ?? []);
      const callable = functionTools(this.settings.tools);
      for (const call of calls) {
        if (this.abort.signal.aborted) break;
        if (!callable.some((t) => t.name === call.name)) {
          return this.fail(
            `responder ${this.host.engines.responder.name} called '${call.name}', which is not among the tools in context`,
          );
        }
        const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
        await this.functionCall(call.name, args, outputIndex++);
      }
    } catch (err) {
      if (!this.abort.signal.aborted) return this.fail(`${(err as Error).message}`);
    }
    this.finish();
  }

  private snapshot(): RealtimeResponseObject {
    return { ...this.response, output: this.response.output.map((i) => structuredClone(i)) };
  }

  /** Context items with transcripts resolved when the responder reads words. */
  private async context(): Promise<ResponderItem[]> {
    const records = this.settings.input ?? [...this.host.conversation.all()];
    if (this.host.engines.responder.needsTranscripts) {
      await Promise.all(records.map((r) => r.transcribing).filter(Boolean));
    }
    return records.map((r) => ({ ...r.item, text: itemText(r) }) as ResponderItem);
  }

  private addItem(item: ConversationItem, outputIndex: number, record: ItemRecord): void {
    this.itemIds.add(item.id);
    this.response.output.push(item);
    this.host.emit('response.output_item.added', {
      response_id: this.id,
      output_index: outputIndex,
      item: structuredClone(item),
    });
    if (this.settings.addToConversation) {
      const previous = this.host.conversation.insert(record);
      this.previousIds.set(item.id, previous);
      this.host.emit('conversation.item.added', { previous_item_id: previous, item: structuredClone(item) });
    }
  }

  private doneItem(item: ConversationItem, outputIndex: number): void {
    if (this.settings.addToConversation) {
      this.host.emit('conversation.item.done', {
        previous_item_id: this.previousIds.get(item.id) ?? null,
        item: structuredClone(item),
      });
    }
    this.host.emit('response.output_item.done', {
      response_id: this.id,
      output_index: outputIndex,
      item: structuredClone(item),
    });
  }

  private async message(text: string, outputIndex: number): Promise<void> {
    const item: RealtimeMessageItem = {
      id: this.host.ids.next('item'),
      object: 'realtime.item',
      type: 'message',
      role: 'assistant',
      status: 'in_progress',
      content: [],
    };
    const record: ItemRecord = { item };
    this.addItem(item, outputIndex, record);
    const ids = { response_id: this.id, item_id: item.id, output_index: outputIndex, content_index: 0 };
    const words = spokenWords(text);
    let sent = '';
    if (this.settings.modalities.includes('audio')) {
      this.host.emit('response.content_part.added', { ...ids, part: { type: 'audio', transcript: '' } });
      // The audio part exists from here on, so a truncate may name it while it streams.
      const part = { type: 'output_audio' as const, transcript: '' };
      item.content = [part];
      const rate = formatSampleRate(this.settings.format);
      const speech: SpeechProgress = { text, sampleRate: rate, total: 0, sent: 0, streaming: true };
      record.speech = speech;
      const signal = this.abort.signal;
      const synthesizer = this.host.engines.synthesizer;
      // Pieces (sentences) are made while earlier ones are sent: the first audio follows the first sentence.
      const buffer = new SpeechBuffer(synthesizer, text, rate, {
        voice: this.settings.voice,
        speed: this.settings.speed,
        signal,
      });
      const chunk = Math.max(1, Math.round((rate * this.host.chunkMs) / 1000));
      const throwIfFailed = () => {
        if (buffer.error !== undefined && !signal.aborted)
          throw new RealtimeServerError(
            'ENGINE_FAILED',
            `synthesizer ${synthesizer.name} failed: ${(buffer.error as Error).message}`,
            { cause: buffer.error },
          );
      };
      await buffer.waitFor(chunk, signal);
      throwIfFailed();
      const scratch = new Uint8Array(chunk);
      const pacer = new Pacer(this.host.pacing, this.host.chunkMs, this.host.aheadSpeed);
      let wordIndex = 0;
      for (let k = 0; ; k++) {
        const start = k * chunk;
        await buffer.waitFor(start + chunk, signal);
        throwIfFailed();
        if (start >= buffer.received) break;
        if (!(await pacer.wait(k, signal))) break;
        // Until the last piece is made, the length is an estimate (exact for a one-sentence reply).
        speech.total = buffer.estimatedTotal();
        const chunks = Math.ceil(speech.total / chunk);
        // Transcript runs slightly ahead of the audio, as with the real service.
        const wordsDue = Math.min(words.length, Math.ceil(((k + 1) / chunks) * words.length));
        for (; wordIndex < wordsDue; wordIndex++) {
          sent += words[wordIndex];
          this.host.emit('response.output_audio_transcript.delta', { ...ids, delta: words[wordIndex] });
        }
        const slice = buffer.view(start, start + chunk);
        this.host.emit('response.output_audio.delta', {
          ...ids,
          delta: encodeOutputAudio(slice, this.settings.format, scratch),
        });
        speech.sent += slice.length;
      }
      speech.total = buffer.estimatedTotal();
      if (!this.abort.signal.aborted) {
        for (; wordIndex < words.length; wordIndex++) {
          sent += words[wordIndex];
          this.host.emit('response.output_audio_transcript.delta', { ...ids, delta: words[wordIndex] });
        }
      }
      speech.streaming = false;
      // A truncation while streaming (the client stopped playback) keeps only what was heard.
      const kept = speech.cut === undefined ? speech.sent : Math.min(speech.cut, speech.sent);
      const transcript = speech.cut === undefined ? sent.trimEnd() : heardText(text, kept, speech.total);
      // A copy of what is kept: the buffer may be twice as large.
      const audio = { pcm: buffer.view(0, kept).slice(), sampleRate: rate, format: this.settings.format };
      if (this.settings.addToConversation) this.host.conversation.setAudio(record, audio);
      else record.audio = audio;
      this.outputAudioMs += (speech.sent * 1000) / rate;
      this.outputTextTokens += textTokens(transcript);
      this.host.emit('response.output_audio.done', ids);
      this.host.emit('response.output_audio_transcript.done', { ...ids, transcript });
      this.host.emit('response.content_part.done', { ...ids, part: { type: 'audio', transcript } });
      part.transcript = transcript;
      record.transcript = transcript;
    } else {
      this.host.emit('response.content_part.added', { ...ids, part: { type: 'text', text: '' } });
      const pacer = new Pacer('fast', 0);
      for (const word of words) {
        if (!(await pacer.wait(0, this.abort.signal))) break;
        sent += word;
        this.host.emit('response.output_text.delta', { ...ids, delta: word });
      }
      const finalText = sent.trimEnd();
      this.outputTextTokens += textTokens(finalText);
      this.host.emit('response.output_text.done', { ...ids, text: finalText });
      this.host.emit('response.content_part.done', { ...ids, part: { type: 'text', text: finalText } });
      item.content = [{ type: 'output_text', text: finalText }];
      record.transcript = finalText;
    }
    item.status = this.abort.signal.aborted ? 'incomplete' : 'completed';
    this.doneItem(item, outputIndex);
  }

  private async functionCall(name: string, args: string, outputIndex: number): Promise<void> {
    const item: RealtimeFunctionCallItem = {
      id: this.host.ids.next('item'),
      object: 'realtime.item',
      type: 'function_call',
      status: 'in_progress',
      name,
      call_id: this.host.ids.next('call'),
      arguments: '',
    };
    const record: ItemRecord = { item };
    this.addItem(item, outputIndex, record);
    const ids = { response_id: this.id, item_id: item.id, output_index: outputIndex, call_id: item.call_id };
    const pacer = new Pacer('fast', 0);
    for (let i = 0; i < args.length; i += ARGUMENT_DELTA_CHARS) {
      if (!(await pacer.wait(0, this.abort.signal))) break;
      this.host.emit('response.function_call_arguments.delta', {
        ...ids,
        delta: args.slice(i, i + ARGUMENT_DELTA_CHARS),
      });
    }
    if (this.abort.signal.aborted) {
      item.status = 'incomplete';
    } else {
      item.arguments = args;
      item.status = 'completed';
      this.outputTextTokens += textTokens(args);
      this.host.emit('response.function_call_arguments.done', { ...ids, name, arguments: args });
    }
    this.doneItem(item, outputIndex);
  }

  private inputUsage(): { text: number; audio: number } {
    const records = this.settings.input ?? this.host.conversation.all();
    let text = textTokens(this.settings.instructions) + textTokens(JSON.stringify(this.settings.tools));
    let audio = 0;
    for (const r of records) {
      if (this.itemIds.has(r.item.id)) continue;
      if (r.audio) {
        const role = r.item.type === 'message' && r.item.role === 'assistant' ? 'assistant' : 'user';
        audio += audioTokens((r.audio.pcm.length * 1000) / r.audio.sampleRate, role);
      } else {
        text += textTokens(itemText(r) ?? '');
      }
    }
    return { text, audio };
  }

  private fail(message: string): void {
    this.response.status = 'failed';
    this.response.status_details = {
      type: 'failed',
      error: { type: 'server_error', code: 'engine_error', message },
    };
    this.done();
  }

  private finish(): void {
    if (this.stopReason) {
      this.response.status = 'cancelled';
      this.response.status_details = { type: 'cancelled', reason: this.stopReason };
    } else {
      this.response.status = 'completed';
      this.response.status_details = { type: 'completed' };
    }
    this.done();
  }

  private done(): void {
    const output = { text: this.outputTextTokens, audio: audioTokens(this.outputAudioMs, 'assistant') };
    this.response.usage = makeUsage(this.inputUsage(), output);
    const final = this.snapshot();
    this.host.emit('response.done', { response: final });
    this.host.finished(final, output.text + output.audio);
  }
}
