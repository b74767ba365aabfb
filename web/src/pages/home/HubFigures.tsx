// The data ecosystem's live figures: entities in the hub and per type.
import { usePreferences } from '../../app/preferences';
import { errorMessage } from '../../api/errors';
import { Status } from '../../components/Status';
import { formatDateTime } from '../../format/datetime';
import { formatNumber } from '../../format/number';
import { entityTypeLabel } from '../../i18n/entityType';
import type { AsyncState } from '../../hooks/useAsync';
import type { HubSummary } from './useHubSummary';

const SHOWN_TYPES = 6;

export function HubFigures({ summary }: { summary: AsyncState<HubSummary> }) {
  const prefs = usePreferences();
  const { t, locale } = prefs;
  if (summary.status === 'loading') return <Status kind="loading" message={t('status.loading')} />;
  if (summary.status === 'error') return <Status kind="error" message={errorMessage(summary.error, t)} />;
  const { total, types, at } = summary.data;
  return (
    <div class="hub-figures" data-testid="hub-figures">
      <dl class="figures">
        <div class="figures__item">
          <dt>{t('home.hub.entities')}</dt>
          <dd data-testid="hub-total">{formatNumber(total, locale)}</dd>
        </div>
        <div class="figures__item">
          <dt>{t('home.hub.types')}</dt>
          <dd data-testid="hub-types">{formatNumber(types.length, locale)}</dd>
        </div>
      </dl>
      {types.length === 0 ? (
        <p>{t('home.hub.empty')}</p>
      ) : (
        <ul class="type-counts">
          {types.slice(0, SHOWN_TYPES).map(({ type, count }) => (
            <li key={type}>
              <a href={`/explorer?type=${encodeURIComponent(type)}`}>{entityTypeLabel(type, locale)}</a>
              <span class="type-counts__count">{t('home.hub.count', { count: formatNumber(count, locale) })}</span>
            </li>
          ))}
        </ul>
      )}
      <p class="note">{t('home.hub.asOf', { time: formatDateTime(at, prefs) })}</p>
    </div>
  );
}
