/** Extracts each `Hostname: X` line from a batch of whoami responses (one response per request). */
export function parseHostnames(text: string): string[] {
  return [...text.matchAll(/^Hostname:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
}
