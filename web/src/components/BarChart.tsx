// A horizontal bar chart drawn by ECharts, which loads on first use. The
// chart is an image for assistive technology; the caption and the page's
// table carry the same figures as text.
import { useEffect, useRef, useState } from 'preact/hooks';
import { usePreferences } from '../app/preferences';
import type { BarChartHandle, BarDatum } from '../charts/barChart';
import { Status } from './Status';

interface Props {
  data: readonly BarDatum[];
  valueName: string;
  caption: string;
  summary: string;
}

export function BarChart({ data, valueName, caption, summary }: Props) {
  const { t } = usePreferences();
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<BarChartHandle | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let cancelled = false;
    import('../charts/barChart')
      .then(({ createBarChart }) => {
        if (cancelled || !element.current) return;
        chart.current = createBarChart(element.current);
        setReady(true);
      })
      .catch(() => !cancelled && setFailed(true));
    const onResize = () => chart.current?.resize();
    window.addEventListener('resize', onResize);
    return () => {
      cancelled = true;
      window.removeEventListener('resize', onResize);
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (ready) chart.current?.update(data, valueName);
  }, [ready, data, valueName]);

  const height = Math.max(160, data.length * 28 + 48);
  return (
    <figure class="chart">
      <div ref={element} class="chart__canvas" style={{ height: `${height}px` }} role="img" aria-label={summary} data-testid="bar-chart" />
      {failed && <Status kind="error" message={t('chart.loadFailed')} />}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
