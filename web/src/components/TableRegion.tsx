// A horizontally scrollable table wrapper that keyboard users can scroll
// (a focusable region named by the table's caption).
import type { ComponentChildren } from 'preact';

export function TableRegion({ labelId, children }: { labelId: string; children: ComponentChildren }) {
  return (
    <div class="table-region" role="region" aria-labelledby={labelId} tabIndex={0}>
      {children}
    </div>
  );
}
