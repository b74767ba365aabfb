// Sorting the city's GeoJSON into map layers: districts, hazard zones,
// roads, other areas and facilities (one layer per facility type).
import type { EntityFeature } from '../api/types';
import { categoryColor, OKABE_ITO } from './palette';

export type LayerKind = 'district' | 'hazard' | 'road' | 'area' | 'facility';

export interface MapLayer {
  id: string;
  kind: LayerKind;
  type: string; // the entity type
  color: string;
  features: EntityFeature[];
}

const DISTRICT_TYPE = /district|administrativearea|ward|neighbou?rhood|schoolzone|town/i;
const HAZARD_TYPE = /hazard|flood|inundation|landslide|tsunami|sediment/i;

type Shape = 'point' | 'line' | 'polygon' | 'none';

export function shapeOf(feature: EntityFeature): Shape {
  switch (feature.geometry?.type) {
    case 'Point':
    case 'MultiPoint':
      return 'point';
    case 'LineString':
    case 'MultiLineString':
      return 'line';
    case 'Polygon':
    case 'MultiPolygon':
      return 'polygon';
    case 'GeometryCollection':
      return 'polygon';
    default:
      return 'none';
  }
}

export function kindOf(type: string, shape: Exclude<Shape, 'none'>): LayerKind {
  if (shape === 'point') return 'facility';
  if (shape === 'line') return 'road';
  if (HAZARD_TYPE.test(type)) return 'hazard';
  if (DISTRICT_TYPE.test(type)) return 'district';
  return 'area';
}

const KIND_ORDER: Record<LayerKind, number> = { district: 0, area: 1, hazard: 2, road: 3, facility: 4 };
const KIND_COLOR: Record<Exclude<LayerKind, 'facility'>, string> = {
  district: OKABE_ITO.blue,
  area: OKABE_ITO.bluishGreen,
  hazard: OKABE_ITO.vermillion,
  road: '#595959',
};

// Layers for features grouped by entity type; facility types get
// categorical colours in type-name order so a type keeps its colour.
export function buildLayers(byType: readonly { type: string; features: readonly EntityFeature[] }[]): MapLayer[] {
  const layers = new Map<string, MapLayer>();
  for (const { type, features } of byType) {
    for (const feature of features) {
      const shape = shapeOf(feature);
      if (shape === 'none') continue;
      const kind = kindOf(type, shape);
      const id = `${kind}:${type}`;
      let layer = layers.get(id);
      if (!layer) {
        layer = { id, kind, type, color: kind === 'facility' ? '' : KIND_COLOR[kind], features: [] };
        layers.set(id, layer);
      }
      layer.features.push(feature);
    }
  }
  const sorted = [...layers.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.type.localeCompare(b.type));
  sorted.filter((l) => l.kind === 'facility').forEach((layer, i) => (layer.color = categoryColor(i)));
  return sorted;
}

export function featureName(feature: EntityFeature): string {
  const name = feature.properties?.['name'];
  return typeof name === 'string' && name ? name : String(feature.id ?? '');
}
