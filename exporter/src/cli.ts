#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from './config/load';
import { COMMANDS } from './cli/commands';
import { VERSION } from './version';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `perfwatch ${VERSION}`,
    '',
    'usage: perfwatch <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number | undefined> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    console.log(usage());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    console.log(VERSION);
    return 0;
  }
  // Longest match first so `rules generate` wins over a hypothetical `rules`.
  const command = [...COMMANDS]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((c) => c.name.split(' ').every((w, i) => argv[i] === w));
  if (!command) {
    console.error(`perfwatch: unknown command "${argv.join(' ')}"\n\n${usage()}`);
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);
  const { values, positionals } = parseArgs({
    args: rest,
    options: command.options ?? {},
    allowPositionals: true,
    strict: true,
  });
  return command.run({ values, positionals });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`perfwatch: ${(err as Error).message}`);
      process.exitCode = 2;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
