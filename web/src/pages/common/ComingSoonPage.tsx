// A planned module's page: says honestly that it is not there yet.
import { usePreferences } from '../../app/preferences';
import type { MessageKey } from '../../i18n/ja';

export function ComingSoonPage({ titleKey }: { titleKey: MessageKey }) {
  const { t } = usePreferences();
  return (
    <div class="page page--coming-soon">
      <h1>{t(titleKey)}</h1>
      <p class="badge badge--planned">{t('status.comingSoon')}</p>
      <p>{t('comingSoon.body')}</p>
      <p>
        <a href="/">{t('comingSoon.backHome')}</a>
      </p>
    </div>
  );
}
