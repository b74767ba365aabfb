// Loading, empty and error messages, announced to screen readers.
export type StatusKind = 'loading' | 'error' | 'empty' | 'info';

export function Status({ kind, message }: { kind: StatusKind; message: string }) {
  if (kind === 'error') {
    return (
      <p class="status status--error" role="alert">
        {message}
      </p>
    );
  }
  return (
    <p class={`status status--${kind}`} role="status">
      {message}
    </p>
  );
}
