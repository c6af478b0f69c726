/**
 * True when `text` nests arrays and objects (`[`/`{`) deeper than `max`; brackets inside strings
 * are skipped. Runs before JSON.parse in one pass without recursion, so a deep body costs
 * O(length) instead of a stack overflow; malformed text is left to JSON.parse. Used by the
 * gateway's body parser and the A2A JSON-RPC endpoint.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
