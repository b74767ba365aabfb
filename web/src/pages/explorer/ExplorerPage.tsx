// Data explorer: entity types with counts, then a filterable, paged list.
import type { PageProps } from '../../app/routes';
import { usePreferences } from '../../app/preferences';
import { FilterForm } from './FilterForm';
import { parseExplorerState } from './filterParams';
import { ResultsSection } from './ResultsSection';
import { TypeOverview } from './TypeOverview';
import { useTypeCounts } from './useTypeCounts';

export default function ExplorerPage({ query }: PageProps) {
  const { t } = usePreferences();
  const state = parseExplorerState(query);
  const typeCounts = useTypeCounts();
  const types = typeCounts.status === 'done' ? typeCounts.data.counts.map((c) => c.type).sort() : [];
  return (
    <div class="page page--explorer">
      <h1>{t('page.explorer.title')}</h1>
      <p class="lead">{t('explorer.lead')}</p>
      <section aria-labelledby="types-heading">
        <h2 id="types-heading">{t('explorer.types.heading')}</h2>
        <TypeOverview state={typeCounts} />
      </section>
      <section aria-labelledby="search-heading">
        <h2 id="search-heading">{t('explorer.search.heading')}</h2>
        <FilterForm state={state} types={types} />
        <ResultsSection state={state} />
      </section>
    </div>
  );
}
