// Previous / next pages and the page size.
import { navigate } from '../../app/history';
import { usePreferences } from '../../app/preferences';
import { formatNumber } from '../../format/number';
import { explorerSearch, pageCount, PAGE_SIZES, type ExplorerState } from './filterParams';

export function Pager({ state, total }: { state: ExplorerState; total: number }) {
  const { t, locale } = usePreferences();
  const pages = pageCount(total, state.size);
  const href = (page: number, size = state.size) => `/explorer${explorerSearch({ ...state, page, size })}`;
  return (
    <nav class="pager" aria-label={t('explorer.pager.label')}>
      {state.page > 1 ? (
        <a class="button" href={href(state.page - 1)} rel="prev">
          {t('explorer.pager.prev')}
        </a>
      ) : (
        <span class="button button--disabled" aria-disabled="true">
          {t('explorer.pager.prev')}
        </span>
      )}
      <span class="pager__position" data-testid="pager-position">
        {t('explorer.pager.position', { page: formatNumber(state.page, locale), pages: formatNumber(pages, locale) })}
      </span>
      {state.page < pages ? (
        <a class="button" href={href(state.page + 1)} rel="next">
          {t('explorer.pager.next')}
        </a>
      ) : (
        <span class="button button--disabled" aria-disabled="true">
          {t('explorer.pager.next')}
        </span>
      )}
      <label class="pager__size">
        <span>{t('explorer.pager.size')}</span>
        <select value={state.size} onChange={(e) => navigate(href(1, Number((e.currentTarget as HTMLSelectElement).value)))}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {formatNumber(size, locale)}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}
