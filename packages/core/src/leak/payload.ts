/**
 * GitHub secret scanning's partner payload and answer. Bounds on every field; fields GitHub may
 * add later are ignored rather than refused, so a new field can never stop a revocation.
 */
import { hash } from "node:crypto";
import { z } from "zod";

/** One reported match, as parsed (written out, so zod's types stay out of the declarations). */
export interface LeakMatch {
  token: string;
  type: string;
  url?: string | undefined;
  source?: string | undefined;
}

/** One reported match. */
const leakMatchSchema: z.ZodType<LeakMatch> = z.object({
  token: z.string().min(1).max(1024),
  type: z.string().min(1).max(256),
  url: z.string().max(4096).optional(),
  source: z.string().max(64).optional(),
});

/** The report: a non-empty JSON array of at most `maxTokens` matches. */
export function leakReportSchema(maxTokens: number): z.ZodType<LeakMatch[]> {
  return z.array(leakMatchSchema).min(1).max(maxTokens);
}

/** GitHub's verdict vocabulary. */
export type LeakLabel = "true_positive" | "false_positive";

/** One entry of the answer GitHub expects. Never holds the token, only its SHA-256. */
export interface LeakVerdict {
  /** Hex SHA-256 of the reported token. */
  token_hash: string;
  token_type: string;
  label: LeakLabel;
}

/** Hex SHA-256 of a token, the form GitHub's answer uses. */
export function tokenHash(token: string): string {
  return hash("sha256", token, "hex");
}
