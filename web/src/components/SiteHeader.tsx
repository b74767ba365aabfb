import { usePreferences } from '../app/preferences';
import { EraToggle } from './EraToggle';
import { LanguageSwitch } from './LanguageSwitch';
import { UserMenu } from './UserMenu';

export function SiteHeader() {
  const { t } = usePreferences();
  return (
    <header class="site-header">
      <div class="site-header__inner">
        <a class="brand" href="/">
          <span class="brand__name">{t('app.name')}</span>
          <span class="brand__tagline">{t('app.tagline')}</span>
        </a>
        <div class="site-header__tools">
          <EraToggle />
          <LanguageSwitch />
          <UserMenu />
        </div>
      </div>
    </header>
  );
}
