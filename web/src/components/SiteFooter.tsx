import { usePreferences } from '../app/preferences';

export function SiteFooter() {
  const { t } = usePreferences();
  return (
    <footer class="site-footer">
      <p>{t('footer.about')}</p>
      <p>
        {t('footer.license')} · <a href="/ngsi-ld/v1/types">{t('footer.api')}</a>
      </p>
    </footer>
  );
}
