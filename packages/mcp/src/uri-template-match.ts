/**
 * Does a URI match a URI template, in time linear in the URI? The same answer as the MCP SDK's
 * `UriTemplate.match` (which McpServer uses to route `resources/read`), without its backtracking
 * regular expression: a template such as `{+a}{+b}{+c}z` makes that one cubic in the URI length,
 * and the URI comes from the client. Here the template becomes a chain of small automata (one per
 * literal and per expression) simulated side by side over the URI, one character at a time.
 */

/** One piece of the template: consumes a non-empty stretch of the URI. */
interface Piece {
  /** The state after reading `char` in `state`, or -1 when the piece cannot continue. */
  step(state: number, char: string): number;
  /** True when the piece may end in `state`. */
  accepts(state: number): boolean;
}

const LINE_TERMINATORS = "\n\r\u2028\u2029";

const literal = (text: string): Piece => ({
  step: (state, char) => (text[state] === char ? state + 1 : -1),
  accepts: (state) => state === text.length,
});

/** `[^/,]+` (or `[^/,]+(?:,[^/,]+)*` when exploded): 1 = inside a value, 2 = just after a comma. */
const segment = (exploded: boolean): Piece => ({
  step: (state, char) => {
    if (char === "/") return -1;
    if (char === ",") return exploded && state === 1 ? 2 : -1;
    return 1;
  },
  accepts: (state) => state === 1,
});

/** A non-empty run of characters allowed by `allowed`. */
const run = (allowed: (char: string) => boolean): Piece => ({
  step: (_state, char) => (allowed(char) ? 1 : -1),
  accepts: (state) => state === 1,
});

const OPERATORS = ["+", "#", ".", "/", "?", "&"];

function pieces(expression: string): Piece[] {
  const operator = OPERATORS.find((op) => expression.startsWith(op)) ?? "";
  const exploded = expression.includes("*");
  const names = expression
    .slice(operator.length)
    .split(",")
    .map((name) => name.replace("*", "").trim())
    .filter((name) => name !== "");
  switch (operator) {
    case "?":
    case "&":
      return names.flatMap((name, i) => [
        literal(`${i === 0 ? operator : "&"}${name}=`),
        run((char) => char !== "&"),
      ]);
    case "+":
    case "#":
      return [run((char) => !LINE_TERMINATORS.includes(char))];
    case ".":
      return [literal("."), segment(false)];
    case "/":
      return [literal("/"), segment(exploded)];
    default:
      return [segment(exploded)];
  }
}

/** The template as pieces, or `undefined` when it does not parse (an unclosed `{`). */
export function compileTemplate(template: string): readonly Piece[] | undefined {
  const compiled: Piece[] = [];
  let text = "";
  for (let i = 0; i < template.length; i++) {
    if (template[i] !== "{") {
      text += template[i];
      continue;
    }
    const end = template.indexOf("}", i);
    if (end === -1) return undefined;
    if (text !== "") compiled.push(literal(text));
    text = "";
    compiled.push(...pieces(template.slice(i + 1, end)));
    i = end;
  }
  if (text !== "") compiled.push(literal(text));
  return compiled;
}

/** True when `uri` matches the compiled template exactly (start to end). O(|uri| × |template|). */
export function matchesTemplate(compiled: readonly Piece[], uri: string): boolean {
  // Active configurations: piece index → states (state 0 = the piece has not read anything yet).
  let active = new Map<number, Set<number>>();
  const add = (into: Map<number, Set<number>>, index: number, state: number): void => {
    let states = into.get(index);
    if (states === undefined) into.set(index, (states = new Set()));
    if (states.has(state)) return;
    states.add(state);
    // A piece that may end here lets the next one start here.
    const piece = compiled[index];
    if (piece !== undefined && piece.accepts(state)) add(into, index + 1, 0);
  };
  add(active, 0, 0);
  // UTF-16 code units, as a regular expression without the `u` flag reads them.
  for (let at = 0; at < uri.length; at++) {
    const char = uri.charAt(at);
    const next = new Map<number, Set<number>>();
    for (const [index, states] of active) {
      const piece = compiled[index];
      if (piece === undefined) continue;
      for (const state of states) {
        const after = piece.step(state, char);
        if (after !== -1) add(next, index, after);
      }
    }
    if (next.size === 0) return false;
    active = next;
  }
  return active.get(compiled.length)?.has(0) === true;
}
