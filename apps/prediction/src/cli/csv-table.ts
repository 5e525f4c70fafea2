import { parseArgs } from 'node:util';
import { createReadStream, readFileSync } from 'node:fs';

/** A CSV read as named string columns. */
export interface CsvTable {
  header: string[];
  rows: number;
  column(name: string): string[];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const SPACE = /^[ \t\r]*$/;

/**
 * RFC 4180 CSV parsed straight into columns, chunk by chunk: no object per row (the table is a string array per
 * column), quoted fields with "" escapes and line breaks, CRLF, a BOM, whitespace around fields trimmed (not inside
 * quotes), empty lines skipped, and a row whose field count differs from the header's refused with its line number.
 */
export class CsvColumnParser {
  header: string[] | undefined;
  columns: string[][] = [];
  private row: string[] = [];
  private partial = '';
  private inQuotes = false;
  /** The field was quoted: its value is fixed, only whitespace may follow before the delimiter. */
  private closed: string | undefined;
  /** A chunk ended on a quote inside quotes: the next chunk says whether it was an escape or the closing quote. */
  private quoteAtEnd = false;
  private line = 1;

  constructor(private readonly source: string) {}

  push(chunk: string): void {
    const n = chunk.length;
    let start = 0;
    let i = 0;
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      if (n > 0 && chunk.charCodeAt(0) === QUOTE) {
        this.partial += '"';
        i = start = 1;
      } else this.close();
    }
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inQuotes) {
        if (c === LF) this.line++;
        else if (c === QUOTE) {
          if (i + 1 === n) {
            this.partial += chunk.slice(start, i);
            start = n;
            this.quoteAtEnd = true;
          } else if (chunk.charCodeAt(i + 1) === QUOTE) {
            this.partial += chunk.slice(start, i + 1);
            i++;
            start = i + 1;
          } else {
            this.partial += chunk.slice(start, i);
            start = i + 1;
            this.close();
          }
        }
        continue;
      }
      if (c === COMMA || c === LF) {
        this.endField(this.partial + chunk.slice(start, i));
        start = i + 1;
        if (c === LF) {
          this.endRow();
          this.line++;
        }
      } else if (c === QUOTE && this.closed === undefined && SPACE.test(this.partial + chunk.slice(start, i))) {
        this.inQuotes = true;
        this.partial = '';
        start = i + 1;
      }
    }
    if (start < n) this.partial += chunk.slice(start);
  }

  end(): CsvTable {
    if (this.quoteAtEnd) {
      this.quoteAtEnd = false;
      this.close();
    }
    if (this.inQuotes) throw new Error(`${this.source}: line ${this.line}: a quoted field is never closed`);
    if (this.partial !== '' || this.closed !== undefined || this.row.length > 0) {
      this.endField(this.partial);
      this.endRow();
    }
    const header = this.header;
    const columns = this.columns;
    const rows = columns[0]?.length ?? 0;
    if (!header || rows === 0) throw new Error(`${this.source}: no data rows`);
    const source = this.source;
    return {
      header,
      rows,
      column(name: string) {
        const at = header.indexOf(name);
        if (at < 0) throw new Error(`${source}: no column "${name}" (columns: ${header.join(', ')})`);
        return columns[at] as string[];
      },
    };
  }

  private close(): void {
    this.inQuotes = false;
    this.closed = this.partial;
    this.partial = '';
  }

  private endField(raw: string): void {
    if (this.closed !== undefined) {
      if (!SPACE.test(raw)) throw new Error(`${this.source}: line ${this.line}: characters after a closing quote`);
      this.row.push(this.closed);
      this.closed = undefined;
    } else this.row.push(raw.trim());
    this.partial = '';
  }

  private endRow(): void {
    const row = this.row;
    this.row = [];
    if (row.length === 1 && row[0] === '') return; // an empty line
    if (!this.header) {
      if (row[0]?.charCodeAt(0) === 0xfeff) row[0] = row[0].slice(1);
      this.header = row;
      this.columns = row.map(() => []);
      return;
    }
    if (row.length !== this.header.length)
      throw new Error(`${this.source}: line ${this.line}: ${row.length} fields where the header has ${this.header.length}`);
    for (let f = 0; f < row.length; f++) (this.columns[f] as string[]).push(row[f] as string);
  }
}

/** Reads a CSV file chunk by chunk into columns (see CsvColumnParser). */
export async function streamCsvTable(file: string): Promise<CsvTable> {
  const parser = new CsvColumnParser(file);
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) parser.push(chunk as string);
  return parser.end();
}

export function readCsvTable(file: string): CsvTable {
  const parser = new CsvColumnParser(file);
  parser.push(readFileSync(file, 'utf8'));
  return parser.end();
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
  // Node's own tokenizer (util.parseArgs): `--name value`, `--name=value`, or a bare `--flag` ("true").
  const { tokens } = parseArgs({ args: [...args], strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (t.kind === 'positional') throw new Error(`unexpected argument "${t.value}"`);
    if (t.kind !== 'option') continue;
    const next = tokens[i + 1];
    if (t.value !== undefined) flags[t.name] = t.value;
    else if (next?.kind === 'positional') {
      flags[t.name] = next.value;
      i++;
    } else flags[t.name] = 'true';
  }
  return flags;
}
