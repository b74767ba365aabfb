import { queryEntities, type EntityPage } from '../../api/ngsi';
import { useAsync } from '../../hooks/useAsync';
import { pageWindow, type ExplorerState } from './filterParams';

export function useEntityPage(state: ExplorerState, lang: string) {
  const { type, idPattern, q, text } = state.filter;
  return useAsync<EntityPage>(
    (signal) => queryEntities(state.filter, pageWindow(state), lang, signal),
    [type, idPattern, q, text, state.page, state.size, lang],
  );
}
