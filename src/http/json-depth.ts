/**
 * Deepest nesting accepted in an incoming activity. Real activities (Adaptive Card values,
 * Teams channel data) stay far below it; much deeper JSON only serves to make
 * `JSON.stringify` overflow the stack when the activity is echoed, stored or logged.
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests arrays/objects deeper than `max`; walks iteratively, so any depth is safe to check. */
export function nestedDeeperThan(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
