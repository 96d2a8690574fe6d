import { MemoryStore } from "../src/index.js";
import { runStoreConformance } from "../src/testing/index.js";

runStoreConformance(() => new MemoryStore(), { name: "MemoryStore conformance" });
runStoreConformance(() => new MemoryStore({ changeFeed: false }), {
  name: "MemoryStore conformance (no change feed)",
});
