import type { ConversationItem, RealtimeAudioFormat } from '@voxwire/realtime-protocol';

/** Audio kept with an item, for `conversation.item.retrieve`, truncation and usage. */
export interface ItemAudio {
  pcm: Int16Array;
  sampleRate: number;
  format: RealtimeAudioFormat;
}

/**
 * An assistant item's speech while (and after) it streams: what truncation cuts. Positions are samples at
 * `sampleRate` of the text's full rendering (`total`), of which `sent` have gone to the client.
 */
export interface SpeechProgress {
  text: string;
  sampleRate: number;
  total: number;
  sent: number;
  /** Set by a truncation: samples the client played. */
  cut?: number;
  /** True while the response is still sending this item's audio. */
  streaming: boolean;
}

/** Server-side record of one conversation item. */
export interface ItemRecord {
  item: ConversationItem;
  audio?: ItemAudio;
  /** For assistant audio: the spoken text and how much of it was sent and heard. */
  speech?: SpeechProgress;
  /** Recognised words of user audio, once known (also when the session did not ask for transcription). */
  transcript?: string;
  /** Settles when a pending transcription of this item's audio finishes. */
  transcribing?: Promise<void>;
}

/** How much a conversation holds. */
export interface ConversationLimits {
  /** Items kept; inserting beyond drops the oldest (like the service's automatic context truncation). */
  maxItems: number;
  /** Milliseconds of audio kept over all items; beyond, the oldest items' audio is released. */
  maxAudioMs: number;
}

function audioMs(audio: ItemAudio | undefined): number {
  return audio ? (audio.pcm.length * 1000) / audio.sampleRate : 0;
}

/**
 * The ordered items of a session's default conversation, with lookup by id and insertion after a given
 * item (`previous_item_id`, or `root` for the start). Bounded: see {@link ConversationLimits}.
 */
export class Conversation {
  private readonly records: ItemRecord[] = [];
  private readonly byId = new Map<string, ItemRecord>();
  private heldAudioMs = 0;

  constructor(private readonly limits: ConversationLimits) {}

  /** Items held. */
  get size(): number {
    return this.records.length;
  }

  /** Whether another item fits without dropping the oldest. */
  get full(): boolean {
    return this.records.length >= this.limits.maxItems;
  }

  /**
   * Sets (or replaces) a record's audio, counting it toward the conversation's audio limit and releasing
   * the oldest items' audio (transcripts stay) when the total goes over.
   */
  setAudio(record: ItemRecord, audio: ItemAudio | undefined): void {
    if (this.byId.get(record.item.id) === record) this.heldAudioMs += audioMs(audio) - audioMs(record.audio);
    record.audio = audio;
    this.releaseAudio(record);
  }

  private releaseAudio(keep: ItemRecord): void {
    for (let i = 0; i < this.records.length && this.heldAudioMs > this.limits.maxAudioMs; i++) {
      const r = this.records[i];
      if (r === keep || !r.audio) continue;
      this.heldAudioMs -= audioMs(r.audio);
      r.audio = undefined;
    }
  }

  get(id: string): ItemRecord | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Items oldest first. */
  all(): readonly ItemRecord[] {
    return this.records;
  }

  /** Id of the last item, or null when empty. */
  lastId(): string | null {
    return this.records.length ? this.records[this.records.length - 1].item.id : null;
  }

  /**
   * Inserts a record after `previousId` (`undefined` = append, `'root'` = first) and returns the id of the
   * item now before it (null at the start). The caller has checked that `previousId` exists.
   */
  insert(record: ItemRecord, previousId?: string): string | null {
    let index = this.records.length;
    if (previousId === 'root') index = 0;
    else if (previousId !== undefined) index = this.records.findIndex((r) => r.item.id === previousId) + 1;
    this.records.splice(index, 0, record);
    this.byId.set(record.item.id, record);
    this.heldAudioMs += audioMs(record.audio);
    const previous = index > 0 ? this.records[index - 1].item.id : null;
    while (this.records.length > this.limits.maxItems) this.delete(this.records[0].item.id);
    this.releaseAudio(record);
    return previous;
  }

  delete(id: string): boolean {
    const record = this.byId.get(id);
    if (!record) return false;
    this.byId.delete(id);
    this.records.splice(this.records.indexOf(record), 1);
    this.heldAudioMs -= audioMs(record.audio);
    return true;
  }

  /** The function_call item with this call id, if present. */
  findCall(callId: string): ItemRecord | undefined {
    return this.records.find((r) => r.item.type === 'function_call' && r.item.call_id === callId);
  }
}
