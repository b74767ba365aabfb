// The Leaflet map, loaded only by pages that show one. There are no tiles:
// it draws the city's own GeoJSON on a plain background, as SVG.
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { EntityFeature } from '../api/types';
import { featureName, type MapLayer } from './layers';

export interface CityMapOptions {
  zoomInTitle: string;
  zoomOutTitle: string;
  // Builds the popup for a feature (DOM, so names are never parsed as HTML).
  popup: (feature: EntityFeature, layer: MapLayer) => HTMLElement;
  // Permanent name labels on districts.
  districtLabels: boolean;
}

export interface CityMap {
  setLayers(layers: readonly MapLayer[], visible: ReadonlySet<string>, fit: boolean): void;
  destroy(): void;
}

const DEFAULT_CENTER: L.LatLngTuple = [35.681, 139.767];

function styleFor(layer: MapLayer): L.PathOptions {
  switch (layer.kind) {
    case 'district':
      return { color: layer.color, weight: 2, fillColor: layer.color, fillOpacity: 0.08 };
    case 'hazard':
      return { color: layer.color, weight: 2, dashArray: '6 4', fillColor: layer.color, fillOpacity: 0.18 };
    case 'road':
      return { color: layer.color, weight: 3, opacity: 0.8 };
    case 'area':
      return { color: layer.color, weight: 1.5, fillColor: layer.color, fillOpacity: 0.2 };
    case 'facility':
      return { color: '#000000', weight: 1, fillColor: layer.color, fillOpacity: 1 };
  }
}

export function createCityMap(element: HTMLElement, options: CityMapOptions): CityMap {
  const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  const map = L.map(element, {
    zoomControl: false,
    // Overlays appear and go at once (no lingering fades); zoom animates
    // unless the reader asked for reduced motion.
    fadeAnimation: false,
    zoomAnimation: !reducedMotion,
    markerZoomAnimation: !reducedMotion,
    attributionControl: false,
    preferCanvas: false,
    zoomSnap: 0.25,
  });
  L.control.zoom({ zoomInTitle: options.zoomInTitle, zoomOutTitle: options.zoomOutTitle }).addTo(map);
  L.control.attribution({ prefix: '<a href="https://leafletjs.com">Leaflet</a>' }).addTo(map);
  map.setView(DEFAULT_CENTER, 11);

  let group = L.featureGroup().addTo(map);

  return {
    setLayers(layers, visible, fit) {
      group.remove();
      group = L.featureGroup();
      for (const layer of layers) {
        if (!visible.has(layer.id)) continue;
        const style = styleFor(layer);
        const geo = L.geoJSON(layer.features as unknown as GeoJSON.FeatureCollection, {
          style: () => style,
          pointToLayer: (_feature, latlng) => L.circleMarker(latlng, { ...style, radius: 7 }),
          onEachFeature: (feature, leafletLayer) => {
            const entityFeature = feature as unknown as EntityFeature;
            leafletLayer.bindPopup(() => options.popup(entityFeature, layer));
            if (layer.kind === 'district' && options.districtLabels) {
              leafletLayer.bindTooltip(featureName(entityFeature), {
                permanent: true,
                direction: 'center',
                className: 'map-label',
              });
            }
          },
        });
        geo.addTo(group);
      }
      group.addTo(map);
      if (fit) {
        const bounds = group.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
      }
    },
    destroy() {
      map.remove();
    },
  };
}
