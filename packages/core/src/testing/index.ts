export { runStoreConformance, sampleRecord, type ConformanceOptions } from "./conformance.js";
export {
  CHAR_ENCODINGS,
  decodeAll,
  encodeChar,
  encodeKey,
  leakedSecret,
  wholeKeyForms,
  type CharEncoding,
} from "./encodings.js";
export { withOutage, type OutageStore } from "./outage-store.js";
