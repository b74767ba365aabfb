// Client-side navigation with the History API.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  search: string;
}

type Listener = (location: Location) => void;
const listeners = new Set<Listener>();

function current(): Location {
  return { path: window.location.pathname, search: window.location.search };
}

function notify(): void {
  const location = current();
  for (const listener of listeners) listener(location);
}

export function navigate(url: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  notify();
}

export function startHistory(): void {
  window.addEventListener('popstate', notify);
  // Same-origin links navigate in the app; new tabs, downloads and other
  // origins keep the browser's behaviour.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || /^\/(ngsi-ld|machi)\//.test(url.pathname)) return;
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
    if (!url.hash) window.scrollTo(0, 0);
  });
}

export function useLocation(): Location {
  const [location, setLocation] = useState<Location>(current);
  useEffect(() => {
    listeners.add(setLocation);
    return () => {
      listeners.delete(setLocation);
    };
  }, []);
  return location;
}
