// The filtered entities: count, table, pager, CSV export and map.
import { usePreferences } from '../../app/preferences';
import { errorMessage } from '../../api/errors';
import { MAX_LIMIT, queryEntities } from '../../api/ngsi';
import { CsvButton } from '../../components/CsvButton';
import { Status } from '../../components/Status';
import { formatNumber } from '../../format/number';
import { EntityTable } from './EntityTable';
import { entityCsvColumns } from './entityColumns';
import type { ExplorerState } from './filterParams';
import { Pager } from './Pager';
import { ResultsMap } from './ResultsMap';
import { useEntityPage } from './useEntityPage';

export function ResultsSection({ state }: { state: ExplorerState }) {
  const { t, locale } = usePreferences();
  const result = useEntityPage(state, locale);
  if (result.status === 'loading') return <Status kind="loading" message={t('status.loading')} />;
  if (result.status === 'error') return <Status kind="error" message={errorMessage(result.error, t)} />;
  const { entities, total } = result.data;
  const first = (state.page - 1) * state.size + 1;
  const summary =
    total === 0
      ? t('explorer.results.none')
      : t('explorer.results.summary', {
          total: formatNumber(total, locale),
          from: formatNumber(Math.min(first, total), locale),
          to: formatNumber(Math.min(first + entities.length - 1, total), locale),
        });
  return (
    <div class="results">
      <p class="results__summary" role="status" data-testid="results-summary">
        {summary}
      </p>
      {entities.length > 0 && (
        <>
          <EntityTable entities={entities} caption={t('explorer.results.caption')} />
          <Pager state={state} total={total} />
          <div class="actions">
            <CsvButton
              fileStem={t('explorer.csv.fileStem')}
              label={t('explorer.csv.exportAll', { max: formatNumber(Math.min(total, MAX_LIMIT), locale) })}
              columns={entityCsvColumns(t, locale)}
              rows={async () => (await queryEntities(state.filter, { limit: MAX_LIMIT, offset: 0 }, locale)).entities}
            />
          </div>
          <ResultsMap entities={entities} />
        </>
      )}
    </div>
  );
}
