// The browser globals that e2e code passed to page.evaluate() uses. The e2e tsconfig has no DOM
// lib (it is Node code); a function run in the page reads them as `(globalThis as unknown as
// PageGlobals)`, loosely typed on purpose: what it returns is asserted in the test.

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface PageGlobals {
  document: any;
  window: any;
  navigator: any;
  localStorage: any;
  getComputedStyle(element: unknown): any;
  matchMedia(query: string): any;
  axe: any;
}
