// Runs an async load when its inputs change, aborting the previous one.
import { useEffect, useState } from 'preact/hooks';
import { isAbort } from '../api/http';

export type AsyncState<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'done'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: unknown };

export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, inputs: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ status: 'done', data }),
      (error: unknown) => !controller.signal.aborted && !isAbort(error) && setState({ status: 'error', error }),
    );
    return () => controller.abort();
    // The caller lists the inputs that load depends on.
  }, inputs);
  return state;
}
