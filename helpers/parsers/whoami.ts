/** What the balance probe records for a request that got no answer, so failures are counted, not dropped. */
export const NO_ANSWER = '<no-answer>';

/** Extracts each `Hostname: X` line from a batch of whoami responses (one response per request). */
export function parseHostnames(text: string): string[] {
  return [...text.matchAll(/^Hostname:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
}
