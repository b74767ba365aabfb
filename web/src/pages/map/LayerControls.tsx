// Checkboxes that show or hide each layer, with its colour as a legend.
import { usePreferences } from '../../app/preferences';
import { formatNumber } from '../../format/number';
import type { MapLayer } from '../../map/layers';
import { layerLabel } from './layerLabel';

interface Props {
  layers: readonly MapLayer[];
  visible: ReadonlySet<string>;
  onChange: (visible: Set<string>) => void;
}

function Swatch({ layer }: { layer: MapLayer }) {
  const common = { stroke: layer.kind === 'facility' ? '#000' : layer.color, 'stroke-width': 2 };
  return (
    <svg class="swatch" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
      {layer.kind === 'facility' ? (
        <circle cx="10" cy="10" r="6" fill={layer.color} {...common} stroke-width={1} />
      ) : layer.kind === 'road' ? (
        <line x1="2" y1="14" x2="18" y2="6" {...common} stroke-width={3} />
      ) : (
        <rect
          x="3"
          y="3"
          width="14"
          height="14"
          fill={layer.color}
          fill-opacity={layer.kind === 'district' ? 0.15 : 0.3}
          stroke-dasharray={layer.kind === 'hazard' ? '4 2' : undefined}
          {...common}
        />
      )}
    </svg>
  );
}

export function LayerControls({ layers, visible, onChange }: Props) {
  const { t, locale } = usePreferences();
  const toggle = (id: string, on: boolean) => {
    const next = new Set(visible);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  return (
    <fieldset class="layer-controls">
      <legend>{t('map.layers')}</legend>
      <ul>
        {layers.map((layer) => (
          <li key={layer.id}>
            <label>
              <input
                type="checkbox"
                checked={visible.has(layer.id)}
                onChange={(e) => toggle(layer.id, (e.currentTarget as HTMLInputElement).checked)}
              />
              <Swatch layer={layer} />
              <span>
                {layerLabel(layer, t, locale)}{' '}
                <span class="note">{t('map.featureCount', { count: formatNumber(layer.features.length, locale) })}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
