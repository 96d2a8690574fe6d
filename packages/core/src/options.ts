/**
 * Option validation helpers: options are validated once, at construction, and bad ones throw a
 * `TypeError` that names the field.
 */

/**
 * The part of a zod `ZodError` that {@link zodFieldError} reads. Structural on purpose: zod's types
 * stay out of the published declarations, so a user's own zod version never meets ours.
 */
interface ValidationFailure {
  readonly issues: ReadonlyArray<{
    readonly path: ReadonlyArray<PropertyKey>;
    readonly message: string;
  }>;
}

/**
 * A `TypeError` whose message names every offending field, e.g.
 * `Invalid gate options: cache.ttlMs: Too small`. For adapters and stores that validate their own
 * options with zod, so every @mcpgate package reports bad options the same way.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * const parsed = z.object({ port: z.number() }).safeParse({ port: "80" });
 * if (!parsed.success) throw zodFieldError("server options", parsed.error);
 * ```
 */
export function zodFieldError(context: string, error: ValidationFailure): TypeError {
  const problems = error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(options)";
    return `${field}: ${issue.message}`;
  });
  return new TypeError(`Invalid ${context}: ${problems.join("; ")}`);
}
