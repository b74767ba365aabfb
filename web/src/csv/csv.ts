// CSV that Excel opens correctly: UTF-8 with a byte-order mark, CRLF line
// ends, every field quoted with quotes doubled. Text that Excel would run as a
// formula (= + - @ tab CR at the start) is prefixed with an apostrophe.
export type CsvValue = string | number | boolean | null | undefined;

export const BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'boolean') text = value ? 'TRUE' : 'FALSE';
  else text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return BOM + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

// A table column for export: a header, the definition of the figure or value
// it holds, and how to read it from a row.
export interface CsvColumn<Row> {
  header: string;
  definition: string;
  value: (row: Row) => CsvValue;
}

// Header row, then one definition row (each cell starting with
// definitionPrefix so it is never mistaken for data), then the data.
export function tableToCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[], definitionPrefix: string): string {
  return toCsv([
    columns.map((c) => c.header),
    columns.map((c) => `${definitionPrefix}${c.definition}`),
    ...rows.map((row) => columns.map((c) => c.value(row))),
  ]);
}

// A file name safe on Windows: the stem plus a Tokyo date stamp.
export function csvFileName(stem: string, stamp: string): string {
  return `${stem.replace(/[\\/:*?"<>|\s]+/g, '_')}_${stamp}.csv`;
}
