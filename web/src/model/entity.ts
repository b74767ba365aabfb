// Reading NGSI-LD entities for display: names, types, attributes, locations.
import type { Attribute, Entity, EntityFeature, Geometry, KeyValuesEntity } from '../api/types';

const CORE_MEMBERS = new Set(['id', 'type', '@context', 'scope', 'createdAt', 'modifiedAt', 'deletedAt']);
// Members of an attribute that describe it rather than being sub-attributes.
const ATTRIBUTE_META = new Set([
  'type',
  'value',
  'object',
  'languageMap',
  'valueList',
  'objectList',
  'observedAt',
  'unitCode',
  'datasetId',
  'createdAt',
  'modifiedAt',
  'deletedAt',
  'lang',
  'objectType',
]);

export function typeOf(entity: { type: string | string[] }): string {
  return Array.isArray(entity.type) ? entity.type.join(', ') : entity.type;
}

// A display name from a keyValues (or concise) name: a string, or a language map.
export function nameOf(entity: KeyValuesEntity, locale: string): string | undefined {
  const name = entity['name'];
  if (typeof name === 'string') return name;
  if (name && typeof name === 'object') {
    const map = name as Record<string, unknown>;
    const candidates = [map[locale], map['ja'], map['en'], map['@none'], map['value'], ...Object.values(map)];
    for (const candidate of candidates) if (typeof candidate === 'string') return candidate;
  }
  return undefined;
}

// The name of a normalized entity.
export function normalizedNameOf(entity: Entity, locale: string): string | undefined {
  const attribute = firstInstance(entity['name']);
  if (!attribute) return undefined;
  if (typeof attribute.value === 'string') return attribute.value;
  if (attribute.languageMap) return nameOf({ id: entity.id, type: entity.type, name: attribute.languageMap }, locale);
  return undefined;
}

function firstInstance(member: unknown): Attribute | undefined {
  const first = Array.isArray(member) ? member[0] : member;
  return first && typeof first === 'object' ? (first as Attribute) : undefined;
}

export interface AttributeRow {
  name: string;
  instance: Attribute;
}

// Every attribute instance of a normalized entity, in name order; a
// multi-attribute (several datasetIds) gives one row per instance.
export function attributeRows(entity: Entity): AttributeRow[] {
  const rows: AttributeRow[] = [];
  for (const name of Object.keys(entity).sort()) {
    if (CORE_MEMBERS.has(name)) continue;
    const member = entity[name];
    const instances = Array.isArray(member) ? member : [member];
    for (const instance of instances) {
      if (instance && typeof instance === 'object') rows.push({ name, instance: instance as Attribute });
    }
  }
  return rows;
}

// The value an attribute carries, whatever its kind.
export function attributeValue(attribute: Attribute): unknown {
  if ('value' in attribute) return attribute.value;
  if ('object' in attribute) return attribute.object;
  if ('languageMap' in attribute) return attribute.languageMap;
  if ('valueList' in attribute) return attribute.valueList;
  if ('objectList' in attribute) return attribute.objectList;
  return undefined;
}

// Sub-attributes (properties of the property), e.g. a measurement's "accuracy".
export function subAttributes(attribute: Attribute): [string, unknown][] {
  return Object.entries(attribute).filter(([key]) => !ATTRIBUTE_META.has(key));
}

export function valueToText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const GEOMETRY_TYPES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection']);

export function isGeometry(value: unknown): value is Geometry {
  return !!value && typeof value === 'object' && GEOMETRY_TYPES.has((value as { type?: unknown }).type as string);
}

// GeoJSON features for each GeoProperty of a normalized entity.
export function entityFeatures(entity: Entity, locale: string): EntityFeature[] {
  const name = normalizedNameOf(entity, locale);
  return attributeRows(entity)
    .filter((row) => row.instance.type === 'GeoProperty' && isGeometry(row.instance.value))
    .map((row) => ({
      type: 'Feature',
      id: entity.id,
      geometry: row.instance.value as Geometry,
      properties: { type: typeOf(entity), name: name ?? entity.id, attribute: row.name },
    }));
}

// A feature for a keyValues entity with a location, or null.
export function keyValuesFeature(entity: KeyValuesEntity, locale: string): EntityFeature | null {
  const location = entity['location'];
  if (!isGeometry(location)) return null;
  return {
    type: 'Feature',
    id: entity.id,
    geometry: location,
    properties: { type: typeOf(entity), name: nameOf(entity, locale) ?? entity.id },
  };
}

export function isEntityReference(value: unknown): value is string {
  return typeof value === 'string' && /^urn:ngsi-ld:/i.test(value);
}
