/**
 * The `mcpgate` command. `run(argv, io)` does everything and returns the exit code; the binary only
 * binds it to the process.
 */
import { parseArgs } from "node:util";
import {
  clientSnippets,
  createGate,
  formatKeyId,
  generateKey,
  isKey,
  isMcpgateError,
  redactKey,
  type App,
  type Gate,
} from "@mcpgate/core";
import { adminTokenCommand } from "./admin-token.js";
import { auditCommand } from "./audit.js";
import { LEAK_RESPONSE_URL } from "./docs-links.js";
import { dueCommand } from "./due.js";
import { parseExpiresIn } from "./duration.js";
import { appJson, describeApp, expiryOf, keyAgeDays, table, toolsOf } from "./format.js";
import { closest, parseCommandArgs, type Options } from "./args.js";
import { EXIT, EXIT_CODES, UsageError, type CliIo } from "./io.js";
import { scanPaths, scanStaged, type Finding } from "./scan.js";
import { describeNewKey } from "./snippets.js";
import { isPostgresSpec, openStore } from "./store.js";

const GLOBAL: Options = {
  store: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const USAGE = `mcpgate — MCP apps and their API keys

Usage: mcpgate [--store <postgres url | directory>] [--json] <command>

Commands:
  apps create --name <name> [--tools a,b | --tools '*'] [--scopes x,y] [--expires-in 90d]
              [--url <endpoint>]
  apps list [--rotation-days 90]
  apps due [--within 14d]  keys that expired, expire soon, or are older than the rotation period
  apps show <app id>
  apps update <app id> [--name <name>] [--tools a,b] [--scopes x,y]
  apps regenerate <app id> [--yes] [--expires-in 90d | never] [--url <endpoint>]
  apps delete <app id> [--yes]
  keys verify              reads the key from standard input (never from the command line)
  scan [paths…] [--staged] finds mgw_ keys in files; exits 1 when it finds any
  audit [--app <id>] [--key-id <id>] [--type <type>] [--since 24h] [--until <ISO>] [--limit 100]
        [--follow]         reads the PostgreSQL audit sink (--store postgres://…)
  admin token              issues the dashboard's admin token (prints the token once and its hash)

Options:
  --store   where apps live: a postgres:// URL or a directory for an embedded database
            (default $MCPGATE_STORE or ./.mcpgate)
  --json    machine-readable output
  -h, --help

Environment: MCPGATE_STORE, MCPGATE_URL (endpoint for snippets, default http://127.0.0.1:3000/mcp),
MCPGATE_PEPPER (Argon2 pepper; must match your servers'), MCPGATE_ROTATION_DAYS (default 90).

Exit codes:
${EXIT_CODES.map(({ code, meaning }) => `  ${code}  ${meaning.replaceAll("`", "")}`).join("\n")}`;

interface Command {
  usage: string;
  options: Options;
  positionals: "none" | "one" | "many";
  run: (context: Context) => Promise<number>;
}

interface Context {
  io: CliIo;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  json: boolean;
  /** Opens the store on first use. */
  gate: () => Promise<Gate>;
  now: number;
  /** `--store`, `MCPGATE_STORE` or the default directory. */
  storeSpec: string;
}

function list(value: string | boolean | undefined): string[] | undefined {
  if (typeof value !== "string") return undefined;
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function toolsOption(value: string | boolean | undefined): string[] | "*" | undefined {
  return value === "*" ? "*" : list(value);
}

/** `--expires-in` of create/regenerate, checked before the store is opened. */
function expiryOption(context: Context): ReturnType<typeof parseExpiresIn> | undefined {
  const value = context.values["expires-in"];
  return typeof value === "string" ? parseExpiresIn(value) : undefined;
}

function print(io: CliIo, json: boolean, data: unknown, text: string): void {
  io.stdout(`${json ? JSON.stringify(data, null, 2) : text}\n`);
}

/** The endpoint for snippets, checked before any key is issued (a bad --url must not lose one). */
function endpointOf(context: Context): string {
  const url = context.values.url;
  const endpoint =
    typeof url === "string" ? url : (context.io.env.MCPGATE_URL ?? "http://127.0.0.1:3000/mcp");
  try {
    clientSnippets({ url: endpoint, key: generateKey(), appName: "check" });
  } catch (error) {
    throw new UsageError(`--url (or MCPGATE_URL): ${(error as Error).message}`);
  }
  return endpoint;
}

function rotationDays(context: Context): number {
  const raw = context.values["rotation-days"] ?? context.io.env.MCPGATE_ROTATION_DAYS ?? "90";
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1)
    throw new UsageError(`--rotation-days must be a whole number of days ≥ 1 (got ${String(raw)})`);
  return days;
}

async function confirm(context: Context, question: string): Promise<void> {
  if (context.values.yes === true) return;
  if (!context.io.stdinIsTTY)
    throw new UsageError(`${question} Refusing without --yes in a non-interactive shell.`);
  context.io.stderr(`${question} Type "yes" to continue: `);
  const answer = (await context.io.readStdin()).trim().toLowerCase();
  if (answer !== "yes" && answer !== "y") throw new UsageError("Cancelled.");
}

function issuedKey(context: Context, app: App, key: string, heading: string): number {
  const snippets = clientSnippets({ url: endpointOf(context), key, appName: app.name });
  print(
    context.io,
    context.json,
    { app, key, ...snippets },
    `${heading}\n${describeApp(app, context.now, 90)}\n${describeNewKey(app, key, snippets)}`,
  );
  return EXIT.ok;
}

const COMMANDS: Record<string, Command> = {
  "admin token": adminTokenCommand,
  audit: auditCommand,
  "apps create": {
    usage:
      "mcpgate apps create --name <name> [--tools a,b | --tools '*'] [--scopes x,y] [--expires-in 90d] [--url <endpoint>]",
    options: {
      name: { type: "string" },
      tools: { type: "string" },
      scopes: { type: "string" },
      "expires-in": { type: "string" },
      url: { type: "string" },
    },
    positionals: "none",
    async run(context) {
      const { name } = context.values;
      if (typeof name !== "string") throw new UsageError("--name is required");
      const expiry = expiryOption(context);
      endpointOf(context);
      const { app, key } = await (
        await context.gate()
      ).createApp({
        name,
        tools: toolsOption(context.values.tools) ?? [],
        scopes: list(context.values.scopes) ?? [],
        ...expiry,
      });
      return issuedKey(context, app, key, `Created app "${app.name}".`);
    },
  },
  "apps list": {
    usage: "mcpgate apps list [--rotation-days 90]",
    options: { "rotation-days": { type: "string" } },
    positionals: "none",
    async run(context) {
      const days = rotationDays(context);
      const apps = await (await context.gate()).listApps();
      const rows = [["ID", "NAME", "KEY", "KEY AGE", "EXPIRES", "TOOLS"]];
      for (const app of apps) {
        const age = keyAgeDays(app, context.now);
        rows.push([
          app.id,
          app.name,
          formatKeyId(app.keyId),
          `${age} d${age >= days ? " ⚠ rotate" : ""}`,
          expiryOf(app, context.now),
          toolsOf(app),
        ]);
      }
      const text =
        apps.length === 0
          ? "No apps yet. Create one: mcpgate apps create --name <name> --tools a,b"
          : table(rows);
      print(
        context.io,
        context.json,
        apps.map((app) => appJson(app, context.now, days)),
        text,
      );
      return EXIT.ok;
    },
  },
  "apps due": {
    ...dueCommand,
    run: (context) => dueCommand.run({ ...context, rotationDays: rotationDays(context) }),
  },
  "apps show": {
    usage: "mcpgate apps show <app id>",
    options: { "rotation-days": { type: "string" } },
    positionals: "one",
    async run(context) {
      const days = rotationDays(context);
      const app = await (await context.gate()).getApp(context.positionals[0] ?? "");
      print(
        context.io,
        context.json,
        appJson(app, context.now, days),
        describeApp(app, context.now, days),
      );
      return EXIT.ok;
    },
  },
  "apps update": {
    usage:
      "mcpgate apps update <app id> [--name <name>] [--tools a,b | --tools '*'] [--scopes x,y]",
    options: { name: { type: "string" }, tools: { type: "string" }, scopes: { type: "string" } },
    positionals: "one",
    async run(context) {
      const { name } = context.values;
      const tools = toolsOption(context.values.tools);
      const scopes = list(context.values.scopes);
      if (name === undefined && tools === undefined && scopes === undefined) {
        throw new UsageError("nothing to update: give --name, --tools or --scopes");
      }
      const app = await (
        await context.gate()
      ).updateApp(context.positionals[0] ?? "", {
        ...(typeof name === "string" ? { name } : {}),
        ...(tools ? { tools } : {}),
        ...(scopes ? { scopes } : {}),
      });
      print(
        context.io,
        context.json,
        appJson(app, context.now, 90),
        `Updated.\n${describeApp(app, context.now, 90)}`,
      );
      return EXIT.ok;
    },
  },
  "apps regenerate": {
    usage: "mcpgate apps regenerate <app id> [--yes] [--expires-in 90d | never] [--url <endpoint>]",
    options: {
      yes: { type: "boolean", short: "y" },
      "expires-in": { type: "string" },
      url: { type: "string" },
    },
    positionals: "one",
    async run(context) {
      const expiry = expiryOption(context);
      endpointOf(context);
      const current = await (await context.gate()).getApp(context.positionals[0] ?? "");
      await confirm(
        context,
        `Regenerate the key of "${current.name}"? The current key ${formatKeyId(current.keyId)} stops working immediately.`,
      );
      const { app, key } = await (await context.gate()).regenerateKey(current.id, expiry);
      return issuedKey(
        context,
        app,
        key,
        `The old key ${formatKeyId(current.keyId)} is dead now. New key for "${app.name}":`,
      );
    },
  },
  "apps delete": {
    usage: "mcpgate apps delete <app id> [--yes]",
    options: { yes: { type: "boolean", short: "y" } },
    positionals: "one",
    async run(context) {
      const current = await (await context.gate()).getApp(context.positionals[0] ?? "");
      await confirm(context, `Delete "${current.name}" and its key ${formatKeyId(current.keyId)}?`);
      await (await context.gate()).deleteApp(current.id);
      print(
        context.io,
        context.json,
        { deleted: current.id },
        `Deleted "${current.name}"; its key no longer works.`,
      );
      return EXIT.ok;
    },
  },
  "keys verify": {
    usage:
      'echo "$KEY" | mcpgate keys verify    (the key is read from standard input, never from argv)',
    options: {},
    positionals: "none",
    async run(context) {
      const input = await readKey(context.io);
      const outcome = isKey(input)
        ? await (await context.gate()).authenticate(input).then(
            (app) => ({ valid: true as const, app }),
            (error: unknown) => {
              if (isMcpgateError(error) && error.code === "invalid_key")
                return { valid: false as const };
              if (isMcpgateError(error) && error.code === "key_expired")
                return { valid: false as const, expired: error };
              throw error;
            },
          )
        : { valid: false as const };
      if (outcome.valid) {
        print(
          context.io,
          context.json,
          { valid: true, app: outcome.app },
          `Valid: app "${outcome.app.name}" (${outcome.app.id}), key ${formatKeyId(outcome.app.keyId)}.`,
        );
        return EXIT.ok;
      }
      if ("expired" in outcome && outcome.expired) {
        const { keyId, expiredAt } = outcome.expired;
        print(
          context.io,
          context.json,
          { valid: false, reason: "expired", keyId, expiredAt },
          `Expired: key ${formatKeyId(keyId)} expired at ${expiredAt.toISOString()}. Regenerate it: mcpgate apps regenerate <app id> (mcpgate apps list shows the id).`,
        );
        return EXIT.found;
      }
      const spaced = /^\s|\s$/.test(input);
      print(
        context.io,
        context.json,
        { valid: false, ...(spaced ? { reason: "whitespace" } : {}) },
        spaced
          ? "Invalid key: it has spaces or tabs around it. Keys are exact; paste the key alone."
          : "Invalid key: unknown, malformed or regenerated.",
      );
      return EXIT.found;
    },
  },
  scan: {
    usage: "mcpgate scan [paths…] [--staged]",
    options: { staged: { type: "boolean" } },
    positionals: "many",
    async run(context) {
      if (context.values.staged === true && context.positionals.length > 0)
        throw new UsageError("--staged scans the git index; give no paths with it");
      const { findings, files } =
        context.values.staged === true
          ? await scanStaged(context.io.cwd)
          : await scanPaths(
              context.positionals.length ? context.positionals : ["."],
              context.io.cwd,
            );
      const text =
        findings.length === 0
          ? `No mgw_ keys found (${files} files scanned).`
          : [
              ...findings.map((f: Finding) => `${f.file}:${f.line}:${f.column}: ${f.key}`),
              "",
              `${findings.length} key(s) found in ${files} files scanned. Treat each as leaked: regenerate it now`,
              `(mcpgate apps regenerate <app id>; mcpgate apps list maps key ids to apps), then remove it.`,
              `What to do next: ${LEAK_RESPONSE_URL}`,
            ].join("\n");
      print(
        context.io,
        context.json,
        findings.length === 0
          ? { findings, files }
          : { findings, files, leakResponse: LEAK_RESPONSE_URL },
        text,
      );
      return findings.length === 0 ? EXIT.ok : EXIT.found;
    },
  },
};

const GROUPS = new Set(["apps", "keys", "admin"]);

/** Splits off the command words (`apps create`, `scan`) wherever global options stand. */
function findCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  const { tokens } = parseArgs({
    args: argv,
    options: GLOBAL,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const words = tokens.filter((t) => t.kind === "positional");
  const first = words[0];
  if (!first) return undefined;
  const second = GROUPS.has(first.value) ? words[1] : undefined;
  const name = second ? `${first.value} ${second.value}` : first.value;
  const drop = new Set([first.index, ...(second ? [second.index] : [])]);
  return { name, rest: argv.filter((_, i) => !drop.has(i)) };
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await run(["apps", "list", "--json"], io);
 * ```
 */
export async function run(argv: string[], rawIo: CliIo): Promise<number> {
  // Whatever goes wrong, a key never reaches stderr (argv errors would echo it).
  const io: CliIo = { ...rawIo, stderr: (text) => rawIo.stderr(redactKey(text)) };
  const found = findCommand(argv);
  const command = found ? COMMANDS[found.name] : undefined;
  if (!found || !command) {
    const wantsHelp = argv.includes("--help") || argv.includes("-h") || argv.length === 0;
    if (wantsHelp || !found) {
      (wantsHelp ? io.stdout : io.stderr)(`${USAGE}\n`);
      return wantsHelp ? EXIT.ok : EXIT.usage;
    }
    const guess = closest(found.name, Object.keys(COMMANDS));
    io.stderr(
      `Unknown command "${found.name}".${guess ? ` Did you mean "${guess}"?` : ""} Run mcpgate --help for the list.\n`,
    );
    return EXIT.usage;
  }

  let parsed: ReturnType<typeof parseCommandArgs>;
  try {
    parsed = parseCommandArgs(found.rest, { ...GLOBAL, ...command.options }, found.name);
  } catch (error) {
    io.stderr(`${(error as Error).message}\nUsage: ${command.usage}\n`);
    return EXIT.usage;
  }
  if (command.positionals === "none" && parsed.positionals.length > 0) {
    io.stderr(
      found.name === "keys verify"
        ? "The key is read from standard input, never from the command line (arguments end up in shell history and `ps`).\n"
        : `Unexpected argument "${parsed.positionals[0]}".\n`,
    );
    io.stderr(`Usage: ${command.usage}\n`);
    return EXIT.usage;
  }
  const values = parsed.values as Context["values"];
  if (values.help === true) {
    io.stdout(`Usage: ${command.usage}\n`);
    return EXIT.ok;
  }
  if (command.positionals === "one" && parsed.positionals.length !== 1) {
    io.stderr(`Expected exactly one app id.\nUsage: ${command.usage}\n`);
    return EXIT.usage;
  }

  const storeSpec =
    typeof values.store === "string" ? values.store : (io.env.MCPGATE_STORE ?? ".mcpgate");
  const pepper = io.env.MCPGATE_PEPPER;
  let opened: { gate: Gate; close: () => Promise<void> } | undefined;
  async function gate(): Promise<Gate> {
    if (!opened) {
      const { store } = await openStore(storeSpec, io.cwd).catch((error: unknown) => {
        if (isMcpgateError(error) || error instanceof TypeError) throw error;
        throw new StoreOpenError(
          isPostgresSpec(storeSpec) ? "the PostgreSQL URL" : storeSpec,
          error,
        );
      });
      const created = createGate({
        store,
        lastUsed: false,
        ...(pepper ? { hashing: { pepper } } : {}),
      });
      opened = { gate: created, close: async () => (await created.close(), await store.close()) };
    }
    return opened.gate;
  }

  try {
    return await command.run({
      io,
      values,
      positionals: parsed.positionals,
      json: values.json === true,
      gate,
      now: Date.now(),
      storeSpec,
    });
  } catch (error) {
    return report(io, error, command.usage);
  } finally {
    await opened?.close();
  }
}

class StoreOpenError extends Error {
  constructor(where: string, cause: unknown) {
    super(
      `Cannot open the store at ${where}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** Prints a failure (its message only: never a dump of its properties) and picks its exit code. */
function report(io: CliIo, error: unknown, usage: string): number {
  if (error instanceof UsageError) {
    io.stderr(`${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof TypeError) {
    io.stderr(`${error.message}\nUsage: ${usage}\n`);
    return EXIT.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`${message}\n`);
  if (error instanceof StoreOpenError) return EXIT.unavailable;
  if (isMcpgateError(error)) {
    switch (error.code) {
      case "store_unavailable":
      case "store_locked":
      case "store_insecure":
        return EXIT.unavailable;
      case "app_not_found":
        return EXIT.notFound;
      default:
        return EXIT.failed;
    }
  }
  return EXIT.failed;
}

/**
 * The key for `keys verify`: from a terminal, one line read without echo; from a pipe, all of
 * standard input. Only the line ending is removed (a key pasted with spaces is reported as such).
 */
async function readKey(io: CliIo): Promise<string> {
  let input: string;
  if (io.stdinIsTTY) {
    io.stderr("Paste the key and press Enter (it is not shown): ");
    input = await (io.readSecretLine ?? io.readStdin)();
    io.stderr("\n");
  } else {
    input = await io.readStdin();
  }
  return input.replace(/\r?\n$/, "");
}
