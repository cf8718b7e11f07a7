import type { ParseArgsConfig } from 'node:util';

export interface CommandInput {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export interface Command {
  /** One or two words: `serve`, `rules generate`. */
  name: string;
  summary: string;
  options?: ParseArgsConfig['options'];
  /** Returns the exit code; undefined keeps the process running (servers). */
  run(input: CommandInput): Promise<number | undefined>;
}
