import { parse } from 'csv-parse/sync';
import { CsvColumnParser } from './csv-table';

const TRICKY = '\ufeffname , amount,note\r\n"Smith, J", 12.50 ,"said ""hi""\nthen left"\r\n\r\nJones,3,  plain  \r\n" ",4,""\r\n';

function parsed(text: string, chunks: string[]) {
  const parser = new CsvColumnParser('test.csv');
  for (const c of chunks) parser.push(c);
  const table = parser.end();
  return { header: table.header, rows: table.rows, columns: table.header.map((h) => table.column(h)) };
}

describe('CsvColumnParser', () => {
  it('reads what csv-parse reads (quotes, escapes, line breaks in quotes, CRLF, BOM, trimming, empty lines)', () => {
    const records = parse(TRICKY, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>;
    const header = Object.keys(records[0] ?? {});
    const expected = { header, rows: records.length, columns: header.map((h) => records.map((r) => r[h])) };
    expect(parsed(TRICKY, [TRICKY])).toEqual(expected);
    expect(expected.columns[2]).toEqual(['said "hi"\nthen left', 'plain', '']);
  });

  it('gives the same table however the file is cut into chunks', () => {
    const whole = parsed(TRICKY, [TRICKY]);
    for (let cut = 1; cut < TRICKY.length; cut++) expect(parsed(TRICKY, [TRICKY.slice(0, cut), TRICKY.slice(cut)])).toEqual(whole);
    expect(parsed(TRICKY, [...TRICKY])).toEqual(whole);
  });

  it('names the line of a row with the wrong number of fields, and an unclosed quote', () => {
    expect(() => parsed('a,b\n1,2\n3\n', ['a,b\n1,2\n3\n'])).toThrow('test.csv: line 3: 1 fields where the header has 2');
    expect(() => parsed('a,b\n1,"2\n', ['a,b\n1,"2\n'])).toThrow('never closed');
    expect(() => parsed('a\n', ['a\n'])).toThrow('no data rows');
  });

  it('reads a last line without a line break', () => {
    expect(parsed('a,b\n1,2', ['a,b\n1,2']).columns).toEqual([['1'], ['2']]);
  });
});
