// One key factor: what it means, whether its modules exist yet, and live
// figures when they do.
import type { ComponentChildren } from 'preact';
import { routeById } from '../../app/routes';
import { usePreferences } from '../../app/preferences';
import { Badge } from '../../components/Badge';
import type { Factor } from './factors';

export function FactorCard({ factor, children }: { factor: Factor; children?: ComponentChildren }) {
  const { t } = usePreferences();
  const headingId = `factor-${factor.id}`;
  const modules = factor.routeIds.map(routeById).filter((r) => r !== undefined);
  return (
    <li class={`factor factor--${factor.live ? 'live' : 'planned'}`} data-factor={factor.id}>
      <article aria-labelledby={headingId}>
        <h3 id={headingId} class="factor__title">
          <span class="factor__number" aria-hidden="true">
            {factor.number}
          </span>
          {t(factor.titleKey)}
        </h3>
        <Badge kind={factor.live ? 'live' : 'planned'} label={t(factor.live ? 'status.live' : 'status.comingSoon')} />
        <p class="factor__summary">{t(factor.summaryKey)}</p>
        {factor.live ? children : <p class="factor__planned">{t('home.factor.plannedNote')}</p>}
        {modules.length > 0 && (
          <ul class="factor__links">
            {modules.map((route) =>
              route.status === 'ready' ? (
                <li key={route.id}>
                  <a href={route.path}>{t(route.nav?.labelKey ?? route.titleKey)}</a>
                </li>
              ) : (
                <li key={route.id} class="factor__link--planned">
                  {t('home.factor.moduleComingSoon', { module: t(route.nav?.labelKey ?? route.titleKey) })}
                </li>
              ),
            )}
          </ul>
        )}
      </article>
    </li>
  );
}
