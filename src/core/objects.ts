/** A copy without the keys whose value is undefined (so YAML and JSON do not write them). */
export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
