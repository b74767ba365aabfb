// Entity types in the hub with their counts: a table (exportable) and a chart.
import { usePreferences } from '../../app/preferences';
import { errorMessage } from '../../api/errors';
import { BarChart } from '../../components/BarChart';
import { CsvButton } from '../../components/CsvButton';
import { Status } from '../../components/Status';
import { TableRegion } from '../../components/TableRegion';
import type { CsvColumn } from '../../csv/csv';
import { formatDateTime } from '../../format/datetime';
import { formatNumber } from '../../format/number';
import type { AsyncState } from '../../hooks/useAsync';
import { entityTypeLabel } from '../../i18n/entityType';
import type { TypeCounts } from './useTypeCounts';

type Row = { type: string; count: number };

export function TypeOverview({ state }: { state: AsyncState<TypeCounts> }) {
  const prefs = usePreferences();
  const { t, locale } = prefs;
  if (state.status === 'loading') return <Status kind="loading" message={t('status.loading')} />;
  if (state.status === 'error') return <Status kind="error" message={errorMessage(state.error, t)} />;
  const { counts, at } = state.data;
  if (counts.length === 0) return <Status kind="empty" message={t('explorer.types.empty')} />;
  const asOf = formatDateTime(at, prefs);
  const columns: CsvColumn<Row>[] = [
    { header: t('explorer.types.colType'), definition: t('explorer.types.defType'), value: (r) => r.type },
    { header: t('explorer.types.colLabel'), definition: t('explorer.types.defLabel'), value: (r) => entityTypeLabel(r.type, locale) },
    { header: t('explorer.types.colCount'), definition: t('explorer.types.defCount', { time: asOf }), value: (r) => r.count },
  ];
  const total = counts.reduce((sum, r) => sum + r.count, 0);
  return (
    <div class="type-overview">
      <div class="type-overview__table">
        <TableRegion labelId="types-caption">
          <table class="data-table" data-testid="type-table">
            <caption id="types-caption">{t('explorer.types.caption', { time: asOf })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('explorer.types.colLabel')}</th>
                <th scope="col" class="num">
                  {t('explorer.types.colCount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {counts.map(({ type, count }) => (
                <tr key={type}>
                  <th scope="row">
                    <a href={`/explorer?type=${encodeURIComponent(type)}`}>{entityTypeLabel(type, locale)}</a>
                    {entityTypeLabel(type, locale) !== type && <span class="code"> {type}</span>}
                  </th>
                  <td class="num">{formatNumber(count, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
        <CsvButton fileStem={t('explorer.types.fileStem')} columns={columns} rows={() => counts} />
      </div>
      <BarChart
        data={counts.slice(0, 15).map((r) => ({ label: entityTypeLabel(r.type, locale), value: r.count }))}
        valueName={t('explorer.types.colCount')}
        caption={t('explorer.types.chartCaption', { shown: Math.min(15, counts.length), all: counts.length })}
        summary={t('explorer.types.chartSummary', { types: counts.length, total: formatNumber(total, locale) })}
      />
    </div>
  );
}
