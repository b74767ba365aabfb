export type BadgeKind = 'live' | 'planned';

export function Badge({ kind, label }: { kind: BadgeKind; label: string }) {
  return <span class={`badge badge--${kind}`}>{label}</span>;
}
