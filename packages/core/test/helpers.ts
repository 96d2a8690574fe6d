import { createKeyHasher, type KeyHasher } from "../src/index.js";

/** A real Argon2id hasher that counts its calls and can hold verifications until released. */
export function countingHasher(): {
  hasher: KeyHasher;
  calls: { hash: number; verify: number };
  hold: () => () => void;
} {
  const real = createKeyHasher();
  const calls = { hash: 0, verify: 0 };
  let gate: Promise<void> | undefined;
  const hasher: KeyHasher = {
    parameters: real.parameters,
    async hash(key) {
      calls.hash++;
      return real.hash(key);
    },
    async verify(phc, key) {
      calls.verify++;
      if (gate) await gate;
      return real.verify(phc, key);
    },
    needsRehash: (phc) => real.needsRehash(phc),
  };
  return {
    hasher,
    calls,
    hold() {
      let release!: () => void;
      gate = new Promise((resolve) => (release = resolve));
      return () => {
        gate = undefined;
        release();
      };
    },
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 10, 24)): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** The same key with one secret character changed (same key id). */
export function sameIdOtherSecret(key: string, variant = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const position = 12 + (variant % 24);
  const current = key.charAt(position);
  const replacement = alphabet.charAt(
    (alphabet.indexOf(current) + 1 + Math.floor(variant / 24)) % 62,
  );
  return key.slice(0, position) + replacement + key.slice(position + 1);
}
