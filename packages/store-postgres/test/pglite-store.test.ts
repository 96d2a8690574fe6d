import { createGate, InvalidKeyError } from "@mcpgate/core";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPGliteStore, SCHEMA_VERSION } from "../src/index.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mcpgate-pglite-"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("persists apps in a directory across close and reopen; the old key stays dead", async () => {
  const dataDir = path.join(dir, "db");
  const first = await createPGliteStore({ dataDir });
  const gate = createGate({ store: first, lastUsed: false });
  const { app, key: oldKey } = await gate.createApp({ name: "embedded", tools: ["search"] });
  const { key } = await gate.regenerateKey(app.id);
  await gate.close();
  await first.close();

  const reopened = await createPGliteStore({ dataDir });
  const again = createGate({ store: reopened, lastUsed: false });
  try {
    expect(reopened.changeFeedState).toBe("listening");
    await expect(again.authenticate(key)).resolves.toMatchObject({
      id: app.id,
      keyGeneration: 2,
      policy: { tools: ["search"] },
    });
    await expect(again.authenticate(oldKey)).rejects.toBeInstanceOf(InvalidKeyError);
    expect(await reopened.migrate()).toBe(SCHEMA_VERSION);
  } finally {
    await again.close();
    await reopened.close();
  }
}, 120_000);

it("rejects bad options with a TypeError naming the field", async () => {
  await expect(createPGliteStore({ dataDir: "" })).rejects.toThrow(/dataDir/);
  await expect(
    createPGliteStore({ dataDir: path.join(dir, "x"), tablePrefix: "9lives" }),
  ).rejects.toThrow(/tablePrefix/);
});
