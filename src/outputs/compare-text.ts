/** Orders strings by UTF-16 code units, independent of locale: output files sort the same everywhere. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
