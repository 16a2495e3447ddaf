/** Public surface of `src/parse`: line classification, name decoding, timestamps. No I/O, no clock. */
export { LineKind, PacketFields, completeFields, parseWindowsLine, DIR_RCV, DIR_SND, OPCODE_QUERY } from './windows-line.js';
export type { LineKindValue } from './windows-line.js';
export { decodeName, decodeStrict, labelsToString, newLabelArray, MAX_LABELS } from './name-decoder.js';
export { parseTimestamp, formatIsoLocal, detectDateOrder } from './timestamp.js';
export type { ParsedTime, DateOrderEvidence } from './timestamp.js';
