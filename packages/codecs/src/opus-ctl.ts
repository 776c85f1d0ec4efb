// libopus' request and mode numbers (opus_defines.h), shared by both backends.

/**
 * libopus' coding modes (`OPUS_APPLICATION_*`): `'voip'` codes speech with SILK or SILK+CELT (hybrid),
 * `'audio'` favours CELT, `'restricted-lowdelay'` is CELT only (no SILK, 2.5 ms less delay).
 */
export type OpusApplication = 'voip' | 'audio' | 'restricted-lowdelay';

export const OPUS_APPLICATION: Readonly<Record<OpusApplication, number>> = {
  voip: 2048,
  audio: 2049,
  'restricted-lowdelay': 2051,
};

export const OPUS_SET_APPLICATION = 4000;
export const OPUS_SET_BITRATE = 4002;
/** The encoder's CPU/quality trade, 0–10 (libopus' default is 9). */
export const OPUS_SET_COMPLEXITY = 4010;
