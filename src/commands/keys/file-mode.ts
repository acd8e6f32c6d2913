/** File modes as the `keys` verbs report them: "0600", "0644". */
export function octalMode(mode: number): string {
  return '0' + mode.toString(8);
}
