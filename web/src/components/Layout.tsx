// Page frame: skip link, banner, navigation, main content, footer.
import type { ComponentChildren } from 'preact';
import { usePreferences } from '../app/preferences';
import { MainNav } from './MainNav';
import { SiteFooter } from './SiteFooter';
import { SiteHeader } from './SiteHeader';

export function Layout({ children }: { children: ComponentChildren }) {
  const { t } = usePreferences();
  return (
    <>
      <a class="skip-link" href="#main">
        {t('a11y.skipToContent')}
      </a>
      <SiteHeader />
      <MainNav />
      <main id="main" tabIndex={-1} class="main">
        {children}
      </main>
      <SiteFooter />
    </>
  );
}
