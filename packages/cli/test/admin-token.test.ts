import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createAdminHandler } from "@mcpgate/admin";
import { createGate, MemoryStore } from "@mcpgate/core";
import { describe, expect, it } from "vitest";
import { run, type CliIo } from "../src/index.js";

function io(): CliIo & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    stdout: (text) => out.push(text),
    stderr: (text) => out.push(text),
    readStdin: async () => "",
    stdinIsTTY: false,
    env: {},
    cwd: process.cwd(),
  };
}

describe("mcpgate admin token", () => {
  it("prints a token once and the hash that a standalone dashboard accepts it with", async () => {
    const captured = io();
    expect(await run(["admin", "token", "--json"], captured)).toBe(0);
    const { token, hash } = JSON.parse(captured.out.join("")) as { token: string; hash: string };
    expect(token).toMatch(/^mga_[A-Za-z0-9]{40}$/);
    expect(hash).not.toContain(token.slice(4));

    const gate = createGate({ store: new MemoryStore(), lastUsed: false });
    const admin = createAdminHandler({ gate, adminTokenHash: hash });
    const server = createServer((req, res) => void admin(req, res));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/api/apps`;
    try {
      const accepted = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(accepted.status).toBe(200);
      const other = await fetch(url, {
        headers: { authorization: `Bearer mga_${"x".repeat(40)}` },
      });
      expect(other.status).toBe(401);
    } finally {
      server.closeAllConnections();
      server.close();
      await gate.close();
    }
  });

  it("says in text mode that the token is shown once", async () => {
    const captured = io();
    expect(await run(["admin", "token"], captured)).toBe(0);
    const text = captured.out.join("");
    expect(text).toMatch(/shown ONCE/);
    expect(text).toMatch(/MCPGATE_ADMIN_TOKEN_HASH='\$argon2id\$/);
  });
});
