// The reader's choices, kept in localStorage: UI language (Japanese by
// default) and whether dates show the Japanese era (和暦).
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { DateDisplay } from '../format/datetime';
import { initialLocale, translator, type Locale, type Translate } from '../i18n/translate';

const LOCALE_KEY = 'machi.locale';
const ERA_KEY = 'machi.era';

export interface Preferences extends DateDisplay {
  locale: Locale;
  era: boolean;
  t: Translate;
  setLocale: (locale: Locale) => void;
  setEra: (era: boolean) => void;
}

function load(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled
  }
}

function save(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // storage disabled: the choice lasts for this page only
  }
}

const PreferencesContext = createContext<Preferences | null>(null);

export function PreferencesProvider({ children }: { children: ComponentChildren }) {
  const [locale, setLocaleState] = useState<Locale>(() => initialLocale(load(LOCALE_KEY)));
  const [era, setEraState] = useState<boolean>(() => load(ERA_KEY) === 'on');

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const value = useMemo<Preferences>(
    () => ({
      locale,
      era,
      t: translator(locale),
      setLocale: (next) => {
        save(LOCALE_KEY, next);
        setLocaleState(next);
      },
      setEra: (next) => {
        save(ERA_KEY, next ? 'on' : 'off');
        setEraState(next);
      },
    }),
    [locale, era],
  );
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): Preferences {
  const value = useContext(PreferencesContext);
  if (!value) throw new Error('usePreferences outside PreferencesProvider');
  return value;
}
