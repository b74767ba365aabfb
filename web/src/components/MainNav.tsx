// The main navigation: ready modules are links, planned ones are shown,
// not linked, with a 準備中 / coming-soon mark.
import { useLocation } from '../app/history';
import { navItems } from '../app/nav';
import { usePreferences } from '../app/preferences';
import { useAuth } from '../auth/AuthProvider';

export function MainNav() {
  const { t } = usePreferences();
  const { path } = useLocation();
  const { session } = useAuth();
  return (
    <nav class="main-nav" aria-label={t('a11y.mainNav')}>
      <ul class="main-nav__list">
        {navItems(path, undefined, session?.user?.roles).map(({ route, current, planned }) => (
          <li key={route.id} class="main-nav__item">
            {planned ? (
              <span class="main-nav__planned" aria-disabled="true">
                {t(route.nav?.labelKey ?? route.titleKey)}
                <span class="badge badge--planned">{t('status.comingSoon')}</span>
              </span>
            ) : (
              <a class="main-nav__link" href={route.path} aria-current={current ? 'page' : undefined}>
                {t(route.nav?.labelKey ?? route.titleKey)}
              </a>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
