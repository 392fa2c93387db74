import { InputError } from '../snapshot/input-error.js';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/** Minimal `--flag value` / `--flag=value` / `--switch` parser; unknown flags are input errors, never ignored. */
export function parseArgs(argv: string[], valueFlags: string[], switches: string[]): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      out.positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (switches.includes(name)) out.flags.set(name, true);
    else if (valueFlags.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new InputError(`--${name} needs a value`);
      out.flags.set(name, value);
    } else throw new InputError(`unknown option --${name} (see --help)`);
  }
  return out;
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
