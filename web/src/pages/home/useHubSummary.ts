// Live figures from the data hub: entity types, entities per type, total.
import { countByType, countEntities, listTypes, type TypeCount } from '../../api/ngsi';
import { useAsync } from '../../hooks/useAsync';

export interface HubSummary {
  total: number;
  types: TypeCount[];
  at: Date;
}

export async function loadHubSummary(signal: AbortSignal): Promise<HubSummary> {
  const [types, total] = await Promise.all([listTypes(signal).then((t) => countByType(t, signal)), countEntities(undefined, signal)]);
  return { total, types, at: new Date() };
}

export function useHubSummary() {
  return useAsync(loadHubSummary, []);
}
