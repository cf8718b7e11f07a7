import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../../src/stack';

export type RuleDoc = Record<string, unknown>;

/**
 * The committed alert-rules/*.yml copied into `into`, each rule passed through `edit` first (tests
 * that compress time or feed another engine). Returns how many rules `edit` reported changing, so a
 * caller can refuse a copy that changed nothing.
 */
export function copyRules(into: string, edit: (rule: RuleDoc) => boolean): number {
  mkdirSync(into, { recursive: true });
  const src = path.join(repoRoot(), 'alert-rules');
  let changed = 0;
  for (const file of readdirSync(src).filter((f) => f.endsWith('.yml'))) {
    const doc = parse(readFileSync(path.join(src, file), 'utf8')) as { groups: Array<{ rules: RuleDoc[] }> };
    for (const rule of doc.groups.flatMap((g) => g.rules)) if (edit(rule)) changed++;
    writeFileSync(path.join(into, file), stringify(doc));
  }
  return changed;
}

/** Removes what a demo run left: its PostgreSQL schema and its Redis keys (prefix `pw-<run>:`). */
export async function dropDemoData(pgUrl: string, redisUrl: string, run: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`drop schema if exists "${run}" cascade`);
  await client.end();
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`pw-${run}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}
