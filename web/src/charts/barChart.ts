// ECharts, loaded only by pages that draw a chart: the core with the bar
// chart, a grid, tooltips and the SVG renderer.
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { OKABE_ITO } from '../map/palette';

echarts.use([BarChart, GridComponent, TooltipComponent, SVGRenderer]);

export interface BarDatum {
  label: string;
  value: number;
}

export interface BarChartHandle {
  update(data: readonly BarDatum[], valueName: string): void;
  resize(): void;
  dispose(): void;
}

export function createBarChart(element: HTMLElement): BarChartHandle {
  const chart = echarts.init(element, undefined, { renderer: 'svg' });
  return {
    update(data, valueName) {
      // Horizontal bars, largest at the top: long Japanese type labels fit.
      const rows = [...data].reverse();
      chart.setOption(
        {
          animation: false,
          aria: { enabled: false }, // the figure's caption and data table describe it
          grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
          tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
          xAxis: { type: 'value', minInterval: 1 },
          yAxis: { type: 'category', data: rows.map((d) => d.label), axisLabel: { color: '#1a1a1a' } },
          series: [
            {
              type: 'bar',
              name: valueName,
              data: rows.map((d) => d.value),
              itemStyle: { color: OKABE_ITO.blue },
              label: { show: true, position: 'right', color: '#1a1a1a' },
            },
          ],
        },
        true,
      );
    },
    resize() {
      chart.resize();
    },
    dispose() {
      chart.dispose();
    },
  };
}
