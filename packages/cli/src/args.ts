/**
 * Command-line parsing with messages for people: an unknown option or command gets a short
 * message with "did you mean", a missing value says which option needs one.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./io.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Edit distance (Levenshtein) of two short words; linear memory. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `word`, if it is close enough to be a typo (or a prefix of it). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = candidate.startsWith(word) && word.length >= 2 ? 0.5 : distance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function optionNames(options: Options): string[] {
  return Object.keys(options).map((name) => `--${name}`);
}

/**
 * Parses `args` against `options`. Throws a {@link UsageError} with a one-line message for an
 * unknown option (with "did you mean"), a missing value, or a value given to a flag.
 */
export function parseCommandArgs(
  args: string[],
  options: Options,
  commandName: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const { tokens } = parseArgs({
    args,
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const spec = options[token.name];
    const shown = token.rawName;
    if (spec === undefined) {
      const guess = closest(`--${token.name}`, optionNames(options));
      throw new UsageError(
        `Unknown option ${shown} for "${commandName}".${guess ? ` Did you mean ${guess}?` : ` Options: ${optionNames(options).join(", ")}.`}`,
      );
    }
    if (spec.type === "string" && token.value === undefined)
      throw new UsageError(`${shown} needs a value (${shown} <value>).`);
    if (spec.type === "boolean" && token.inlineValue)
      throw new UsageError(`${shown} takes no value.`);
  }
  const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  return {
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  };
}
