// `node --import ./werift-as-published-hook.ts`: the process resolves `werift` to the unpatched copy whose URL
// is in VOXWIRE_WERIFT_URL (see werift-as-published.ts), everywhere, @voxwire/webrtc included.
import { register } from 'node:module';

const url = process.env.VOXWIRE_WERIFT_URL;
if (url) {
  const hooks = `export async function resolve(specifier, context, next) {
    if (specifier === 'werift') return { url: ${JSON.stringify(url)}, shortCircuit: true };
    return next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
