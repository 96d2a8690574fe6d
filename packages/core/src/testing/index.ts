export { runStoreConformance, sampleRecord, type ConformanceOptions } from "./conformance.js";
export { withOutage, type OutageStore } from "./outage-store.js";
