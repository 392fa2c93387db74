import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SAMPLES = join(import.meta.dirname, '..', '..', 'fixtures', 'samples');

/**
 * A real tool output from fixtures/samples. Each file starts with a `# SOURCE` header and sometimes the prompt
 * line of the command; `from` cuts everything before the first line that starts with it, so the parser sees
 * only what the command printed.
 */
export function sample(name: string, from?: string): string {
  const lines = readFileSync(join(SAMPLES, name), 'utf8').split('\n');
  const start = from ? lines.findIndex((l) => l.startsWith(from)) : lines.findIndex((l) => !l.startsWith('#'));
  if (start < 0) throw new Error(`${name}: no line starts with ${JSON.stringify(from)}`);
  return lines.slice(start).join('\n');
}
