// Whether the loaded werift carries our patch: apps installed from npm get werift as published unless they
// apply dist/werift@0.25.2.patch themselves, and a silently failed postinstall should be visible.
import { RTCRtpSender, type RtpPacket } from 'werift';

/**
 * werift's sender as `patches/werift@0.25.2.patch` extends it: `sendRtpNow` sends at once and returns a promise
 * only when it had to queue (pending RTP). Unpatched werift (an npm install) has only `sendRtp`.
 */
export type SenderWithSendNow = RTCRtpSender & {
  sendRtpNow?(packet: RtpPacket): Promise<void> | undefined;
};

/**
 * Whether the werift this process loaded has the synchronous send path of `dist/werift@0.25.2.patch`
 * (`RTCRtpSender.prototype.sendRtpNow`), the patch's marker. The patch changes both of werift's builds alike,
 * so this answers the same from ESM (`import`, werift's `lib/index.mjs`) and CommonJS (`require`, its
 * `lib/<package>/src` files). False for werift as npm installs it. Everything works either way; unpatched
 * costs about 1.2× the CPU per frame (README, "werift patch").
 */
export function isWeriftPatched(): boolean {
  return typeof (RTCRtpSender.prototype as SenderWithSendNow).sendRtpNow === 'function';
}
