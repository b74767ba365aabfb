// Exports a table to CSV (UTF-8 BOM, CRLF, quoted) with a definition row.
import { useState } from 'preact/hooks';
import { usePreferences } from '../app/preferences';
import { csvFileName, tableToCsv, type CsvColumn } from '../csv/csv';
import { downloadText } from '../csv/download';
import { tokyoParts } from '../format/tokyo';

interface Props<Row> {
  fileStem: string;
  columns: readonly CsvColumn<Row>[];
  // The rows to export; may fetch more than the page shows.
  rows: () => readonly Row[] | Promise<readonly Row[]>;
  label?: string;
}

function stamp(date: Date): string {
  const p = tokyoParts(date);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}${two(p.month)}${two(p.day)}-${two(p.hour)}${two(p.minute)}`;
}

export function CsvButton<Row>({ fileStem, columns, rows, label }: Props<Row>) {
  const { t } = usePreferences();
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const onClick = async () => {
    setBusy(true);
    setFailed(false);
    try {
      const data = await rows();
      downloadText(csvFileName(fileStem, stamp(new Date())), tableToCsv(columns, data, t('csv.definitionPrefix')));
    } catch {
      setFailed(true);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="csv-export">
      <button type="button" class="button" onClick={onClick} disabled={busy}>
        {label ?? t('csv.export')}
      </button>
      {failed && (
        <span class="status status--error" role="alert">
          {t('csv.failed')}
        </span>
      )}
    </span>
  );
}
