// updateMask (AIP-134, AIP-161): a comma-separated list of field paths, camelCase or the
// snake_case Google also accepts. A path that cannot be updated is an error, never ignored.
import { invalidArgument } from "../errors.js";

/** A parser for one resource's table of updatable fields ({camelName: "snake_name"}). */
export function updateMaskParser<F extends string>(table: Readonly<Record<F, string>>): (mask: string) => F[] {
  const byPath = new Map<string, F>(
    (Object.entries(table) as [F, string][]).flatMap(([field, snake]) => [
      [field, field],
      [snake, field],
    ]),
  );
  return (mask) => {
    const fields = new Set<F>();
    for (const raw of mask.split(",")) {
      const path = raw.trim();
      const field = byPath.get(path);
      if (!field) {
        throw invalidArgument("updateMask", `'${path}' cannot be updated; updatable: ${Object.keys(table).join(", ")}`);
      }
      fields.add(field);
    }
    return [...fields];
  };
}
