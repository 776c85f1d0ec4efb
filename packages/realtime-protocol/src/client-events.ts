import type { ClientConversationItem } from './items.js';
import type { ResponseCreateParams } from './responses.js';
import type { SessionConfig } from './session.js';

export interface SessionUpdateEvent {
  type: 'session.update';
  event_id?: string;
  session: SessionConfig;
}
export interface InputAudioBufferAppendEvent {
  type: 'input_audio_buffer.append';
  event_id?: string;
  /** Base64 audio in the session's input format. */
  audio: string;
}
export interface InputAudioBufferCommitEvent {
  type: 'input_audio_buffer.commit';
  event_id?: string;
}
export interface InputAudioBufferClearEvent {
  type: 'input_audio_buffer.clear';
  event_id?: string;
}
export interface ConversationItemCreateEvent {
  type: 'conversation.item.create';
  event_id?: string;
  previous_item_id?: string;
  item: ClientConversationItem;
}
export interface ConversationItemTruncateEvent {
  type: 'conversation.item.truncate';
  event_id?: string;
  item_id: string;
  content_index: number;
  audio_end_ms: number;
}
export interface ConversationItemDeleteEvent {
  type: 'conversation.item.delete';
  event_id?: string;
  item_id: string;
}
export interface ConversationItemRetrieveEvent {
  type: 'conversation.item.retrieve';
  event_id?: string;
  item_id: string;
}
export interface ResponseCreateEvent {
  type: 'response.create';
  event_id?: string;
  response?: ResponseCreateParams;
}
export interface ResponseCancelEvent {
  type: 'response.cancel';
  event_id?: string;
  response_id?: string;
}
export interface OutputAudioBufferClearEvent {
  type: 'output_audio_buffer.clear';
  event_id?: string;
}

/** Every GA client event. */
export type ClientEvent =
  | SessionUpdateEvent
  | InputAudioBufferAppendEvent
  | InputAudioBufferCommitEvent
  | InputAudioBufferClearEvent
  | ConversationItemCreateEvent
  | ConversationItemTruncateEvent
  | ConversationItemDeleteEvent
  | ConversationItemRetrieveEvent
  | ResponseCreateEvent
  | ResponseCancelEvent
  | OutputAudioBufferClearEvent;

/** Names of the client events. */
export type ClientEventType = ClientEvent['type'];

/** Every client event type, at run time. */
export const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.delete',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'response.create',
  'response.cancel',
  'output_audio_buffer.clear',
] as const satisfies readonly ClientEventType[];

// Fails to compile when a client event is added to the union but not to the list.
type MissingClientEventType = Exclude<ClientEventType, (typeof CLIENT_EVENT_TYPES)[number]>;
const _everyClientEventListed: MissingClientEventType extends never ? true : never = true;
void _everyClientEventListed;

/** Whether `type` names a client event. */
export function isClientEventType(type: unknown): type is ClientEventType {
  return (CLIENT_EVENT_TYPES as readonly unknown[]).includes(type);
}
