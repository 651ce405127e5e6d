// Debian's chromium, launched so that it works on a machine with no outside network: no
// background requests, no component updates, no sync (each would fail, many times over).
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
