// Loads every entity type's GeoJSON and sorts it into map layers.
import { listTypes, typeFeatures } from '../../api/ngsi';
import type { EntityFeature } from '../../api/types';
import { useAsync } from '../../hooks/useAsync';
import { buildLayers, type MapLayer } from '../../map/layers';

// Per type; the hub's sensor readings can be many, the city's shapes are not.
export const MAX_FEATURES_PER_TYPE = 3000;

export interface CityLayers {
  layers: MapLayer[];
  truncated: string[]; // types with more entities than were drawn
}

export async function loadCityLayers(lang: string, signal: AbortSignal): Promise<CityLayers> {
  const types = await listTypes(signal);
  const byType: { type: string; features: EntityFeature[] }[] = [];
  const truncated: string[] = [];
  const queue = [...types];
  const worker = async () => {
    for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
      const { collection, total } = await typeFeatures(type, MAX_FEATURES_PER_TYPE, lang, signal);
      const located = collection.features.filter((f) => f.geometry);
      if (located.length) byType.push({ type, features: located });
      if (total > collection.features.length) truncated.push(type);
    }
  };
  await Promise.all(Array.from({ length: Math.min(3, types.length) }, worker));
  return { layers: buildLayers(byType), truncated: truncated.sort() };
}

export function useCityLayers(lang: string) {
  return useAsync((signal) => loadCityLayers(lang, signal), [lang]);
}
