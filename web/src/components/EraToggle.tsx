// Shows dates with the Japanese era (和暦) when checked.
import { usePreferences } from '../app/preferences';

export function EraToggle() {
  const { era, setEra, t } = usePreferences();
  return (
    <label class="era-toggle">
      <input type="checkbox" checked={era} onChange={(e) => setEra((e.currentTarget as HTMLInputElement).checked)} />
      <span>{t('prefs.era')}</span>
    </label>
  );
}
