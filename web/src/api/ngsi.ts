// The few NGSI-LD calls the web app makes, all relative to this origin.
import { getJson } from './http';
import { entitiesQuery, toQueryString, type EntityFilter, type Page } from './query';
import type { Entity, EntityTypeInfo, FeatureCollection, KeyValuesEntity } from './types';

export const NGSI = '/ngsi-ld/v1';
export const MAX_LIMIT = 1000;

function resultsCount(headers: Headers): number | null {
  const value = headers.get('NGSILD-Results-Count');
  return value === null ? null : Number(value);
}

export async function listTypes(signal?: AbortSignal): Promise<string[]> {
  const { data } = await getJson<EntityTypeInfo[]>(`${NGSI}/types?details=true`, 'application/json', signal);
  return data.map((t) => t.typeName ?? t.id).sort((a, b) => a.localeCompare(b));
}

// Number of entities matching a type (all entities when type is undefined).
export async function countEntities(type?: string, signal?: AbortSignal): Promise<number> {
  const { headers } = await getJson<unknown[]>(
    `${NGSI}/entities${toQueryString({ type, count: true, limit: 0 })}`,
    'application/json',
    signal,
  );
  return resultsCount(headers) ?? 0;
}

export interface TypeCount {
  type: string;
  count: number;
}

// Counts for every type, a few requests at a time.
export async function countByType(types: readonly string[], signal?: AbortSignal): Promise<TypeCount[]> {
  const result: TypeCount[] = [];
  const queue = [...types];
  const worker = async () => {
    for (let type = queue.shift(); type !== undefined; type = queue.shift()) {
      result.push({ type, count: await countEntities(type, signal) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, types.length) }, worker));
  return result.sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}

export interface EntityPage {
  entities: KeyValuesEntity[];
  total: number;
}

export async function queryEntities(filter: EntityFilter, page: Page, lang: string, signal?: AbortSignal): Promise<EntityPage> {
  const { data, headers } = await getJson<KeyValuesEntity[]>(
    `${NGSI}/entities${entitiesQuery(filter, page, { options: 'keyValues', lang })}`,
    'application/json',
    signal,
  );
  return { entities: data, total: resultsCount(headers) ?? data.length };
}

export async function getEntity(id: string, signal?: AbortSignal): Promise<Entity> {
  const { data } = await getJson<Entity>(
    `${NGSI}/entities/${encodeURIComponent(id)}?options=sysAttrs`,
    'application/json',
    signal,
  );
  return data;
}

// GeoJSON of one type's entities (simplified values), up to maxFeatures.
export async function typeFeatures(
  type: string,
  maxFeatures: number,
  lang: string,
  signal?: AbortSignal,
): Promise<{ collection: FeatureCollection; total: number }> {
  const features: FeatureCollection['features'] = [];
  let total = 0;
  for (let offset = 0; offset < maxFeatures; offset += MAX_LIMIT) {
    const limit = Math.min(MAX_LIMIT, maxFeatures - offset);
    const { data, headers } = await getJson<FeatureCollection>(
      `${NGSI}/entities${toQueryString({ type, limit, offset, count: true, options: 'keyValues', lang })}`,
      'application/geo+json',
      signal,
    );
    total = resultsCount(headers) ?? total;
    features.push(...data.features);
    if (data.features.length < limit) break;
  }
  return { collection: { type: 'FeatureCollection', features }, total: Math.max(total, features.length) };
}
