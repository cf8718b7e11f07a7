// Read at run time so the build does not need resolveJsonModule output paths to line up.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = (require('../package.json') as { version: string }).version;
