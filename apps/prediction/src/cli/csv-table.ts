import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** A CSV read as named string columns. */
export interface CsvTable {
  header: string[];
  rows: number;
  column(name: string): string[];
}

export function readCsvTable(file: string): CsvTable {
  const records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<
    Record<string, string>
  >;
  if (records.length === 0) throw new Error(`${file}: no data rows`);
  const header = Object.keys(records[0] ?? {});
  return {
    header,
    rows: records.length,
    column(name: string) {
      if (!header.includes(name)) throw new Error(`${file}: no column "${name}" (columns: ${header.join(', ')})`);
      return records.map((r) => r[name] ?? '');
    },
  };
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 't']);

/**
 * The positive class of a label column: the given value, or for a two-valued column the one
 * that reads as true/1/yes (otherwise the second in sort order, so "0/1" and "No/Yes" work).
 */
export function positiveLabel(values: readonly string[], given?: string): string {
  if (given !== undefined) return given;
  const distinct = [...new Set(values.filter((v) => v !== ''))].sort();
  if (distinct.length !== 2)
    throw new Error(
      `the label column has ${distinct.length} distinct values; pass --positive <value> to say which one is the positive class`,
    );
  return distinct.find((v) => TRUE_WORDS.has(v.toLowerCase())) ?? distinct[1] ?? '';
}

/** Minimal `--flag value` parsing: the CLIs have few options and no dependencies for it. */
export function parseFlags(args: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const next = args[i + 1];
    if (next === undefined || next.startsWith('--')) flags[a.slice(2)] = 'true';
    else {
      flags[a.slice(2)] = next;
      i++;
    }
  }
  return flags;
}
