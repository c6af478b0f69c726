/**
 * The closing lines every generated Kotlin enum with a `wire` property shares (catalogue enums
 * in Constants.kt, schema enums in Payloads.kt): the end of the entry list and `fromWire`.
 */

/** Lines that close `public enum class <name>(public val wire: String, ...)` after its entries. */
export function wireEnumFooter(name: string): string[] {
  return [
    "    ;",
    "",
    "    public companion object {",
    "        /** The entry whose wire name is [wire], or null. */",
    `        public fun fromWire(wire: String): ${name}? = entries.firstOrNull { it.wire == wire }`,
    "    }",
    "}",
    "",
  ];
}
