import type { AudioFormat, ConversationItem } from './protocol.js';

/** Audio kept with an item, for `conversation.item.retrieve`, truncation and usage. */
export interface ItemAudio {
  pcm: Int16Array;
  sampleRate: number;
  format: AudioFormat;
}

/** Server-side record of one conversation item. */
export interface ItemRecord {
  item: ConversationItem;
  audio?: ItemAudio;
  /** Recognised words of user audio, once known (also when the session did not ask for transcription). */
  transcript?: string;
  /** Settles when a pending transcription of this item's audio finishes. */
  transcribing?: Promise<void>;
}

/**
 * The ordered items of a session's default conversation, with lookup by id and insertion after a given
 * item (`previous_item_id`, or `root` for the start).
 */
export class Conversation {
  private readonly records: ItemRecord[] = [];
  private readonly byId = new Map<string, ItemRecord>();

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
    return index > 0 ? this.records[index - 1].item.id : null;
  }

  delete(id: string): boolean {
    const record = this.byId.get(id);
    if (!record) return false;
    this.byId.delete(id);
    this.records.splice(this.records.indexOf(record), 1);
    return true;
  }

  /** The function_call item with this call id, if present. */
  findCall(callId: string): ItemRecord | undefined {
    return this.records.find((r) => r.item.type === 'function_call' && r.item.call_id === callId);
  }
}
