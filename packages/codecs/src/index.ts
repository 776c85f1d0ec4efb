export { AudioFormatError } from './errors.js';
export { floatToInt16, int16ToFloat } from './pcm.js';
