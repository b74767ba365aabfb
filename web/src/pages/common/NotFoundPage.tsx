import { usePreferences } from '../../app/preferences';

export function NotFoundPage() {
  const { t } = usePreferences();
  return (
    <div class="page page--not-found">
      <h1>{t('page.notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <a href="/">{t('comingSoon.backHome')}</a>
      </p>
    </div>
  );
}
