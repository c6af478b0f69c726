/**
 * A schema fixture full of Kotlin keywords and odd identifiers: a copy of schema/ whose
 * envelope and payloads gain properties named `class`, `is`, `when`, `val`, `isFinal` (next to
 * `is_final`), `1st`, `unknownFields`, a key with `/` and `~`, enum values that collide once
 * cased, and a payload titled `Result`. loadIr accepts it; the Kotlin emitter must name
 * everything legally and uniquely.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Schema = { [key: string]: unknown };

function edit(file: string, change: (s: Schema) => void): void {
  const s = JSON.parse(readFileSync(file, "utf8")) as Schema;
  change(s);
  writeFileSync(file, JSON.stringify(s, null, 2));
}

/** Envelope properties the fixture adds (all optional, so golden envelopes stay valid). */
export const ODD_ENVELOPE_PROPERTIES: Schema = {
  class: { type: "string", description: "A hard keyword. /* nested comment */ stays a comment." },
  is: { type: "boolean" },
  when: { type: "object" },
  val: { description: "Any JSON, named by a keyword." },
  isFinal: { type: "string", description: "Collides with is_final once camel-cased." },
  "1st": { type: "string" },
  unknownFields: { type: "string", description: "Collides with the envelope's own member." },
  "$weird key/with~chars": { type: "integer", minimum: 0 },
  typealias: { type: "string", enum: ["a-b", "A_B", "1x", "class", "$x"] },
};

/** Copies `schemaDir` to `dir` and adds the odd identifiers. */
export function writeKeywordFixture(schemaDir: string, dir: string): void {
  cpSync(schemaDir, dir, { recursive: true });
  edit(join(dir, "envelope.schema.json"), (s) => {
    s["properties"] = { ...(s["properties"] as Schema), ...ODD_ENVELOPE_PROPERTIES };
  });
  edit(join(dir, "payloads", "tool-call.schema.json"), (s) => {
    s["properties"] = {
      ...(s["properties"] as Schema),
      object: { type: "string" },
      in: { $ref: "#/$defs/Interface" },
      copy: { type: "number", description: "Shadows the data class copy()." },
      "fun-name": { type: "integer" },
      "": { type: "string", description: "The empty key." },
    };
    s["$defs"] = {
      Interface: {
        type: "object",
        description: "A nested class named by a keyword.",
        properties: { do: { type: "boolean" }, return: { type: "string", enum: ["if", "else"] }, this: { $ref: "#/$defs/Interface" } },
      },
    };
  });
  edit(join(dir, "payloads", "response-final.schema.json"), (s) => {
    s["title"] = "Result";
  });
}
