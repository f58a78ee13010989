// Proto3 JSON from Google's client into the native spelling, by a request shape (proto-shapes.ts):
// enum numbers become their names, output-only fields are dropped, and so is every field at its
// type's default value. The last is proto3's own rule (a scalar has no presence: "" or 0 is "not
// set"), and the client relies on it: a resource it fetched comes back with every field spelled
// out ("" for reservedIpRange, 0 for connectMode, [] for suspensionReasons). Anything the shape
// does not expect (an unknown enum number, a string where a message goes) is left as it came, so
// the native contract refuses it with its own INVALID_ARGUMENT naming the field. Inside a field the
// shape does not describe (a map such as labels) nothing is touched: "" is a label value there.
import type { ProtoEnum, Shape } from "./proto-shapes.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field proto3 JSON would leave out: the default of its type (an empty message stays: it is set). */
export const isProtoDefault = (v: unknown) => v === null || v === "" || v === 0 || v === false || (Array.isArray(v) && v.length === 0);

function enumName(protoEnum: ProtoEnum, value: unknown): unknown {
  if (typeof value !== "number") return value;
  const name = Object.entries(protoEnum.values).find(([, n]) => n === value)?.[0];
  return name ?? value;
}

/** A new value with the shape's enums named and its unset and output-only fields gone; the input is not changed. */
export function fromProtoJson(value: unknown, shape: Shape): unknown {
  switch (shape.kind) {
    case "enum":
      return enumName(shape, value);
    case "repeated":
      return Array.isArray(value) ? value.map((v) => fromProtoJson(v, shape.of)) : value;
    case "outputOnly":
      return value;
    case "message": {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [field, v] of Object.entries(value)) {
        const inner = shape.fields[field];
        if (inner?.kind === "outputOnly" || isProtoDefault(v)) continue;
        out[field] = inner ? fromProtoJson(v, inner) : v;
      }
      return out;
    }
  }
}
