/** A participant of a Janus room, as the AudioBridge and VideoRoom plugins describe it. */
export interface JanusParticipant {
  /** Janus' participant id (a number unless the plugin runs with `string_ids`). */
  id: number | string;
  display: string | undefined;
  /** AudioBridge: muted by itself or a moderator. */
  muted: boolean;
  /** AudioBridge: its PeerConnection with Janus is up. */
  setup: boolean;
  /** AudioBridge with talk events: currently talking. */
  talking: boolean | undefined;
}

/** Reads a participant object of a plugin event; undefined for something without an id. */
export function toParticipant(raw: unknown): JanusParticipant | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const p = raw as Record<string, unknown>;
  if (typeof p.id !== 'number' && typeof p.id !== 'string') return undefined;
  return {
    id: p.id,
    display: typeof p.display === 'string' ? p.display : undefined,
    muted: p.muted === true,
    setup: p.setup === true,
    talking: typeof p.talking === 'boolean' ? p.talking : undefined,
  };
}

/** All participants in a plugin's `participants` / `publishers` list. */
export function toParticipants(raw: unknown): JanusParticipant[] {
  if (!Array.isArray(raw)) return [];
  const out: JanusParticipant[] = [];
  for (const r of raw) {
    const p = toParticipant(r);
    if (p) out.push(p);
  }
  return out;
}
