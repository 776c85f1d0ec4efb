import type { ClientConversationItem, ServerConversationItem } from './protocol.js';

/** One item of the conversation as the client keeps it: text and transcripts, not audio (unless asked). */
export interface ConversationEntry {
  id: string;
  /** `message`, `function_call`, `function_call_output` (or another type the server reports). */
  type: string;
  role?: 'user' | 'assistant' | 'system';
  /** Message text, or the transcript of its audio; '' when none (yet). */
  text: string;
  /** For function calls and their outputs. */
  callId?: string;
  name?: string;
  arguments?: string;
  output?: string;
  /** Assistant audio received for this item, in ms. */
  audioMs: number;
  /** Set when the item was truncated to what the listener heard. */
  truncatedAtMs?: number;
  /** Audio chunks, only with `retainAudio: true`. */
  audio?: Int16Array[];
}

function textOf(item: ServerConversationItem): string {
  if (item.content === undefined) return '';
  let text = '';
  for (const part of item.content) text += part.text ?? part.transcript ?? '';
  return text;
}

/**
 * The conversation's items in order, with their text. Bounded (`maxItems`, oldest dropped) and audio-free by
 * default, so a long call does not grow memory without limit; used to restore context after a reconnect.
 */
export class Conversation {
  private readonly byId = new Map<string, ConversationEntry>();

  constructor(
    private readonly maxItems: number,
    private readonly retainAudio: boolean,
  ) {}

  /** Items in conversation order. */
  items(): ConversationEntry[] {
    return [...this.byId.values()];
  }

  get(id: string): ConversationEntry | undefined {
    return this.byId.get(id);
  }

  /** Adds or updates an item from a server event; keeps known text when the server sends none. */
  upsert(item: ServerConversationItem): ConversationEntry | undefined {
    if (typeof item.id !== 'string') return undefined;
    const text = textOf(item);
    let entry = this.byId.get(item.id);
    if (!entry) {
      entry = { id: item.id, type: item.type, text, audioMs: 0 };
      if (this.retainAudio) entry.audio = [];
      this.byId.set(item.id, entry);
      if (this.byId.size > this.maxItems) this.byId.delete(this.byId.keys().next().value as string);
    } else if (text.length > 0) {
      entry.text = text;
    }
    if (item.role) entry.role = item.role;
    if (item.call_id !== undefined) entry.callId = item.call_id;
    if (item.name !== undefined) entry.name = item.name;
    if (item.arguments !== undefined) entry.arguments = item.arguments;
    if (item.output !== undefined) entry.output = item.output;
    return entry;
  }

  /** Appends streamed text (a transcript delta). */
  appendText(id: string, delta: string): void {
    const entry = this.byId.get(id);
    if (entry) entry.text += delta;
  }

  /** Replaces the text with its final version. */
  setText(id: string, text: string): void {
    const entry = this.byId.get(id);
    if (entry) entry.text = text;
  }

  /** Counts received audio (and keeps it when `retainAudio`). */
  /** Whether received audio is kept (option `retainAudio`): only then does it need decoding. */
  get retainsAudio(): boolean {
    return this.retainAudio;
  }

  /** Counts audio of an item without keeping it. */
  addDuration(id: string, samples: number, sampleRate: number): void {
    const entry = this.byId.get(id);
    if (entry) entry.audioMs += (samples * 1000) / sampleRate;
  }

  addAudio(id: string, pcm: Int16Array, sampleRate: number): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    entry.audioMs += (pcm.length * 1000) / sampleRate;
    // The decoded chunk may be a view of a shared pool: copy it before keeping it.
    entry.audio?.push(pcm.slice());
  }

  markTruncated(id: string, audioEndMs: number): void {
    const entry = this.byId.get(id);
    if (entry) entry.truncatedAtMs = audioEndMs;
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  /**
   * Text-only copies of the items, to re-create the context in a fresh session. Truncated assistant text is
   * cut at the fraction of the audio that was heard (the model should not remember saying what nobody
   * heard); function calls are kept only together with their outputs, unless their call is still pending.
   */
  restorable(pendingCallIds: ReadonlySet<string>): ClientConversationItem[] {
    const outputs = new Set<string>();
    const calls = new Set<string>();
    for (const e of this.byId.values()) {
      if (e.type === 'function_call_output' && e.callId) outputs.add(e.callId);
      if (e.type === 'function_call' && e.callId) calls.add(e.callId);
    }
    const out: ClientConversationItem[] = [];
    for (const e of this.byId.values()) {
      if (e.type === 'message') {
        const text = heardText(e);
        if (text.length === 0) continue;
        if (e.role === 'assistant') {
          out.push({
            type: 'message',
            role: 'assistant',
            id: e.id,
            content: [{ type: 'output_text', text }],
          });
        } else if (e.role === 'system') {
          out.push({ type: 'message', role: 'system', id: e.id, content: [{ type: 'input_text', text }] });
        } else {
          out.push({ type: 'message', role: 'user', id: e.id, content: [{ type: 'input_text', text }] });
        }
      } else if (e.type === 'function_call' && e.callId && e.name !== undefined) {
        if (!outputs.has(e.callId) && !pendingCallIds.has(e.callId)) continue;
        out.push({
          type: 'function_call',
          id: e.id,
          call_id: e.callId,
          name: e.name,
          arguments: e.arguments ?? '{}',
        });
      } else if (e.type === 'function_call_output' && e.callId && e.output !== undefined) {
        if (!calls.has(e.callId)) continue;
        out.push({ type: 'function_call_output', id: e.id, call_id: e.callId, output: e.output });
      }
    }
    return out;
  }
}

function heardText(e: ConversationEntry): string {
  if (e.truncatedAtMs === undefined || e.audioMs <= 0) return e.text.trim();
  const fraction = Math.min(1, e.truncatedAtMs / e.audioMs);
  if (fraction >= 1) return e.text.trim();
  let cut = Math.floor(e.text.length * fraction);
  // Do not end mid-word.
  while (cut > 0 && cut < e.text.length && /\S/.test(e.text[cut])) cut--;
  const heard = e.text.slice(0, cut).trimEnd();
  return heard.length > 0 ? `${heard}…` : '';
}
