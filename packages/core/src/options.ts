/**
 * Option validation helpers: options are validated once, at construction, and bad ones throw a
 * `TypeError` that names the field.
 */
import type { z } from "zod";

/** A `TypeError` whose message names every offending field, e.g. `gate options: cache.ttlMs: Too small`. */
export function zodFieldError(context: string, error: z.ZodError): TypeError {
  const problems = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join(".") : "(options)";
    return `${field}: ${issue.message}`;
  });
  return new TypeError(`Invalid ${context}: ${problems.join("; ")}`);
}
