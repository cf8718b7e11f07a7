/** One node of a query plan, the same shape for PostgreSQL and MySQL/MariaDB so one tree view shows both. */
export interface PlanNode {
  /** What the node does: `Index Scan on users`, `table users`, `nested_loop`. */
  label: string;
  /** The node's scalar properties as the database reported them (costs, rows, keys, conditions). */
  details: Record<string, string | number | boolean | null>;
  children: PlanNode[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Scalar = string | number | boolean | null;

const isScalar = (v: Json): v is Scalar => v === null || typeof v !== 'object';
const isObject = (v: Json): v is { [key: string]: Json } =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Arrays of scalars (PostgreSQL's "Sort Key", MariaDB's "possible_keys") read best as one line. */
function scalarOrList(v: Json): Scalar | undefined {
  if (isScalar(v)) return v;
  if (Array.isArray(v) && v.every(isScalar)) return v.map(String).join(', ');
  return undefined;
}

/** PostgreSQL `EXPLAIN (FORMAT JSON)`: `[{ "Plan": { "Node Type", …, "Plans": [...] } }]`. */
export function postgresPlanTree(explained: unknown): PlanNode {
  const top = (explained as Array<{ Plan?: Json }>)[0]?.Plan;
  if (!top || !isObject(top)) throw new Error('PostgreSQL returned no plan');
  const walk = (node: { [key: string]: Json }): PlanNode => {
    const details: PlanNode['details'] = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'Plans') continue;
      const s = scalarOrList(v);
      if (s !== undefined) details[k] = s;
    }
    const relation = node['Relation Name'] ?? node['CTE Name'] ?? node['Function Name'];
    const label = `${String(node['Node Type'])}${typeof relation === 'string' ? ` on ${relation}` : ''}`;
    const plans = Array.isArray(node.Plans) ? node.Plans.filter(isObject) : [];
    return { label, details, children: plans.map(walk) };
  };
  return walk(top);
}

/**
 * MariaDB/MySQL `EXPLAIN FORMAT=JSON`: nested objects keyed by what they are (`query_block`, `table`,
 * `nested_loop: [{ table }]`, `filesort`, …), each becoming a node labelled by its key (and table).
 */
export function mysqlPlanTree(explained: unknown): PlanNode {
  const walk = (key: string, node: { [key: string]: Json }): PlanNode => {
    const details: PlanNode['details'] = {};
    const children: PlanNode[] = [];
    for (const [k, v] of Object.entries(node)) {
      const s = scalarOrList(v);
      if (s !== undefined) details[k] = s;
      else if (isObject(v)) children.push(walk(k, v));
      else if (Array.isArray(v))
        for (const item of v.filter(isObject)) {
          // nested_loop: [{ "table": {...} }, …] — the wrapper names the child.
          const keys = Object.keys(item);
          const only = keys.length === 1 ? item[keys[0]] : undefined;
          children.push(only !== undefined && isObject(only) ? walk(keys[0], only) : walk(k, item));
        }
    }
    const table = node.table_name;
    return { label: typeof table === 'string' ? `${key} ${table}` : key, details, children };
  };
  if (!isObject(explained as Json)) throw new Error('the database returned no plan');
  const root = explained as { [key: string]: Json };
  const keys = Object.keys(root);
  return keys.length === 1 && isObject(root[keys[0]])
    ? walk(keys[0], root[keys[0]] as { [key: string]: Json })
    : walk('plan', root);
}

/** Traditional tabular EXPLAIN rows as aligned text, as the mysql client prints them. */
export function tableText(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  const cells = rows.map((r) =>
    columns.map((c) => (r[c] === null || r[c] === undefined ? 'NULL' : String(r[c]))),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)].join('\n');
}
