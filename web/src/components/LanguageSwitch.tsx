// Switches between Japanese and English. The button names the other
// language in that language (its lang attribute set accordingly).
import { usePreferences } from '../app/preferences';
import { CATALOGS } from '../i18n/translate';

export function LanguageSwitch() {
  const { locale, setLocale } = usePreferences();
  const other = locale === 'ja' ? 'en' : 'ja';
  return (
    <button
      type="button"
      class="button button--quiet lang-switch"
      onClick={() => setLocale(other)}
      data-testid="lang-switch"
    >
      <span lang={other}>{CATALOGS[other]['lang.nativeName']}</span>
    </button>
  );
}
