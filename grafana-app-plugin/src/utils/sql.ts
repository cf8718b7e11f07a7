import {
  formatDialect,
  mariadb,
  mysql,
  postgresql,
  sql,
  sqlite,
  transactsql,
  type DialectOptions,
} from 'sql-formatter';

// Importing dialects one by one (not `format`) keeps the other dozen dialects out of the bundle.
const DIALECTS: Record<string, DialectOptions> = {
  postgresql,
  postgres: postgresql,
  pg: postgresql,
  mysql,
  mariadb,
  sqlite,
  mssql: transactsql,
};

/**
 * Pretty SQL for reading. Fingerprints use `?` and `$1` placeholders; when the formatter cannot
 * parse a statement (vendor syntax it does not know) the text is shown as captured.
 */
export function formatSql(text: string, dbSystem?: string): string {
  try {
    return formatDialect(text, {
      dialect: DIALECTS[dbSystem?.toLowerCase() ?? ''] ?? sql,
      keywordCase: 'upper',
      paramTypes: { positional: true, numbered: ['$'] },
    });
  } catch {
    return text;
  }
}
