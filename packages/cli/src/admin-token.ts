/**
 * `mcpgate admin token`: issues the standalone dashboard's admin token. The token is printed once;
 * the server is configured with its Argon2id hash only (like app keys, it is hashed at rest).
 */
import { EXIT, type CliIo } from "./io.js";

export const adminTokenCommand = {
  usage: "mcpgate admin token [--json]",
  options: {},
  positionals: "none" as const,
  async run(context: { io: CliIo; json: boolean }): Promise<number> {
    // Loaded on demand: the other commands never pay for the admin package.
    const { issueAdminToken } = await import("@mcpgate/admin");
    const { token, hash } = await issueAdminToken();
    context.io.stdout(
      context.json
        ? `${JSON.stringify({ token, hash }, null, 2)}\n`
        : [
            "Admin token — shown ONCE; it is not stored anywhere. Keep it in a password manager:",
            "",
            `    ${token}`,
            "",
            "Configure the dashboard with its hash (not a secret you sign in with, but keep it private):",
            "",
            `    MCPGATE_ADMIN_TOKEN_HASH='${hash}'`,
            "",
            "    createAdminHandler({ gate, adminTokenHash: process.env.MCPGATE_ADMIN_TOKEN_HASH })",
            "",
            "Issuing a new token and replacing the hash signs every session out.",
            "",
          ].join("\n"),
    );
    return EXIT.ok;
  },
};
