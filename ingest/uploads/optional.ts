/** `{ key: value }` when there is a value, `{}` otherwise: for optional fields under exact optional types. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
