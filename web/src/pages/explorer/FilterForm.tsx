// Filter by type, id pattern, q expression and free text on the name.
import { useEffect, useState } from 'preact/hooks';
import { navigate } from '../../app/history';
import { usePreferences } from '../../app/preferences';
import type { EntityFilter } from '../../api/query';
import { entityTypeWithCode } from '../../i18n/entityType';
import { explorerSearch, type ExplorerState } from './filterParams';

interface Props {
  state: ExplorerState;
  types: readonly string[];
}

export function FilterForm({ state, types }: Props) {
  const { t, locale } = usePreferences();
  const [draft, setDraft] = useState<EntityFilter>(state.filter);
  useEffect(() => setDraft(state.filter), [state.filter.type, state.filter.idPattern, state.filter.q, state.filter.text]);

  const set = (key: keyof EntityFilter) => (event: Event) =>
    setDraft({ ...draft, [key]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value || undefined });

  const onSubmit = (event: Event) => {
    event.preventDefault();
    navigate(`/explorer${explorerSearch({ filter: draft, page: 1, size: state.size })}`);
  };
  const onReset = () => navigate(`/explorer${explorerSearch({ filter: {}, page: 1, size: state.size })}`);

  // Keep a type that is in the URL even when the hub does not list it.
  const options = draft.type && !types.includes(draft.type) ? [draft.type, ...types] : types;
  return (
    <form class="filter-form" role="search" aria-label={t('explorer.filter.label')} onSubmit={onSubmit} data-testid="filter-form">
      <div class="field">
        <label for="filter-type">{t('explorer.filter.type')}</label>
        <select id="filter-type" name="type" value={draft.type ?? ''} onChange={set('type')}>
          <option value="">{t('explorer.filter.anyType')}</option>
          {options.map((type) => (
            <option key={type} value={type}>
              {entityTypeWithCode(type, locale)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-text">{t('explorer.filter.text')}</label>
        <input id="filter-text" name="text" type="search" value={draft.text ?? ''} onInput={set('text')} />
      </div>
      <div class="field">
        <label for="filter-id">{t('explorer.filter.idPattern')}</label>
        <input
          id="filter-id"
          name="idPattern"
          type="text"
          value={draft.idPattern ?? ''}
          onInput={set('idPattern')}
          aria-describedby="filter-id-help"
          autocomplete="off"
          spellcheck={false}
        />
        <p id="filter-id-help" class="help">
          {t('explorer.filter.idPatternHelp')}
        </p>
      </div>
      <div class="field">
        <label for="filter-q">{t('explorer.filter.q')}</label>
        <input
          id="filter-q"
          name="q"
          type="text"
          value={draft.q ?? ''}
          onInput={set('q')}
          aria-describedby="filter-q-help"
          autocomplete="off"
          spellcheck={false}
        />
        <p id="filter-q-help" class="help">
          {t('explorer.filter.qHelp')}
        </p>
      </div>
      <div class="filter-form__actions">
        <button type="submit" class="button button--primary">
          {t('explorer.filter.submit')}
        </button>
        <button type="button" class="button" onClick={onReset}>
          {t('explorer.filter.reset')}
        </button>
      </div>
    </form>
  );
}
