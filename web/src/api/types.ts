// NGSI-LD shapes the web app reads (GS CIM 009).
import type { Feature, FeatureCollection as GeoFeatureCollection, Geometry } from 'geojson';

export type { Geometry };
export type FeatureCollection = GeoFeatureCollection<Geometry | null, Record<string, unknown>>;
export type EntityFeature = Feature<Geometry | null, Record<string, unknown>>;

export interface EntityTypeInfo {
  id: string;
  type: string;
  typeName?: string;
  attributeNames?: string[];
}

// One attribute instance in the normalized representation.
export interface Attribute {
  type?: string; // Property, GeoProperty, Relationship, LanguageProperty, ListProperty, ...
  value?: unknown;
  object?: unknown;
  languageMap?: Record<string, unknown>;
  valueList?: unknown[];
  objectList?: unknown[];
  observedAt?: string;
  unitCode?: string;
  datasetId?: string;
  createdAt?: string;
  modifiedAt?: string;
  [subAttribute: string]: unknown;
}

export interface Entity {
  id: string;
  type: string | string[];
  createdAt?: string;
  modifiedAt?: string;
  [attribute: string]: unknown;
}

export interface KeyValuesEntity {
  id: string;
  type: string | string[];
  [attribute: string]: unknown;
}
