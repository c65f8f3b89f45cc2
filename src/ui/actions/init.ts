/**
 * The actions' one-time setup from the page's URL, called by main.tsx before the first render
 * (no action module does anything when imported).
 */
import { hubEndpointFromUrl, setHubEndpoint } from './hub.ts';
import { installTestHooks } from './runtime.ts';

export function initActions(search: string): void {
  setHubEndpoint(hubEndpointFromUrl(search));
  if (new URLSearchParams(search).has('testHooks')) installTestHooks();
}
