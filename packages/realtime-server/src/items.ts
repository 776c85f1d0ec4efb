import type {
  ContentPart,
  InputContentPart,
  OutputContentPart,
  RealtimeAudioFormat,
} from '@voxwire/realtime-protocol';
import {
  CLIENT_ITEM_TYPES,
  CONTENT_PART_FIELDS,
  fieldsOf,
  formatSampleRate,
} from '@voxwire/realtime-protocol';
import { decodeInputAudio } from './audio/format.js';
import type { ItemRecord } from './conversation.js';
import { RealtimeProtocolError } from './errors.js';
import { rejectUnknown, requireArray, requireEnum, requireObject, requireString } from './validate.js';

const CONTENT_TYPES = {
  user: ['input_text', 'input_audio', 'input_image'],
  system: ['input_text'],
  assistant: ['output_text', 'text'],
} as const;

/**
 * Validates a client-supplied item (`conversation.item.create` or `response.create`'s `input`) and builds
 * its record. User `input_audio` parts are decoded in the session's input format and kept as the item's
 * audio; their base64 is not echoed back in events.
 * @throws RealtimeProtocolError naming the offending field under `param`
 */
export function parseClientItem(
  raw: unknown,
  param: string,
  newId: () => string,
  inputFormat: RealtimeAudioFormat,
): ItemRecord {
  const item = requireObject(raw, param);
  const type = requireEnum(item.type, `${param}.type`, CLIENT_ITEM_TYPES);
  const id = item.id === undefined ? newId() : requireString(item.id, `${param}.id`, { nonEmpty: true });
  if (item.status !== undefined)
    requireEnum(item.status, `${param}.status`, ['completed', 'incomplete', 'in_progress'] as const);
  if (type === 'function_call') {
    rejectUnknown(item, ['type', 'id', 'object', 'status', 'name', 'call_id', 'arguments'], param);
    return {
      item: {
        id,
        object: 'realtime.item',
        type,
        status: 'completed',
        name: requireString(item.name, `${param}.name`, { nonEmpty: true }),
        call_id: requireString(item.call_id, `${param}.call_id`, { nonEmpty: true }),
        arguments: requireString(item.arguments, `${param}.arguments`),
      },
    };
  }
  if (type === 'function_call_output') {
    rejectUnknown(item, ['type', 'id', 'object', 'status', 'call_id', 'output'], param);
    return {
      item: {
        id,
        object: 'realtime.item',
        type,
        status: 'completed',
        call_id: requireString(item.call_id, `${param}.call_id`, { nonEmpty: true }),
        output: requireString(item.output, `${param}.output`),
      },
    };
  }
  rejectUnknown(item, ['type', 'id', 'object', 'status', 'role', 'content'], param);
  const role = requireEnum(item.role, `${param}.role`, ['user', 'assistant', 'system'] as const);
  const parts = requireArray(item.content, `${param}.content`);
  if (parts.length === 0) {
    throw new RealtimeProtocolError(
      'INVALID_VALUE',
      `Invalid value for '${param}.content': a message needs at least one content part.`,
      `${param}.content`,
    );
  }
  const record = {} as ItemRecord;
  const content: ContentPart[] = [];
  const texts: string[] = [];
  parts.forEach((rawPart, i) => {
    const p = `${param}.content[${i}]`;
    const part = requireObject(rawPart, p);
    const partType = requireEnum(part.type, `${p}.type`, CONTENT_TYPES[role]);
    rejectUnknown(part, fieldsOf(CONTENT_PART_FIELDS), p);
    if (partType === 'input_image') {
      // Kept in the conversation as given; the offline responder does not look at images.
      rejectUnknown(part, ['type', 'image_url', 'detail'], p);
      const image: InputContentPart = {
        type: 'input_image',
        image_url: requireString(part.image_url, `${p}.image_url`, { nonEmpty: true }),
      };
      if (part.detail !== undefined)
        image.detail = requireEnum(part.detail, `${p}.detail`, ['auto', 'low', 'high'] as const);
      content.push(image);
    } else if (partType === 'input_audio') {
      rejectUnknown(part, ['type', 'audio', 'transcript'], p);
      if (record.audio) {
        throw new RealtimeProtocolError(
          'INVALID_VALUE',
          `Only one input_audio part per message is supported.`,
          `${p}`,
        );
      }
      const pcm = decodeInputAudio(
        requireString(part.audio, `${p}.audio`),
        inputFormat,
        `${p}.audio`,
      ).slice();
      record.audio = { pcm, sampleRate: formatSampleRate(inputFormat), format: inputFormat };
      const transcript =
        part.transcript === undefined || part.transcript === null
          ? null
          : requireString(part.transcript, `${p}.transcript`);
      if (transcript !== null) {
        record.transcript = transcript;
        texts.push(transcript);
      }
      content.push({ type: 'input_audio', transcript });
    } else {
      rejectUnknown(part, ['type', 'text'], p);
      const text = requireString(part.text, `${p}.text`);
      texts.push(text);
      // Assistant history may say `text` (beta wording); it is stored as GA `output_text`.
      content.push({ type: partType === 'text' ? 'output_text' : partType, text });
    }
  });
  const base = { id, object: 'realtime.item', type, status: 'completed' } as const;
  record.item =
    role === 'assistant'
      ? { ...base, role, content: content as OutputContentPart[] }
      : role === 'system'
        ? { ...base, role, content: content as Array<InputContentPart & { type: 'input_text' }> }
        : { ...base, role, content: content as InputContentPart[] };
  if (!record.audio) record.transcript = texts.join(' ');
  return record;
}

/** The words an item carries for a responder: text parts, known transcripts, tool I/O. */
export function itemText(record: ItemRecord): string | undefined {
  const item = record.item;
  if (item.type === 'function_call') return item.arguments;
  if (item.type === 'function_call_output') return item.output;
  if (record.transcript !== undefined) return record.transcript;
  const words = item.content.map((c) => c.text ?? c.transcript ?? '').filter(Boolean);
  return words.length ? words.join(' ') : undefined;
}
