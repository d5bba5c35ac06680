// jsdom lacks the observers Recharts reaches for; charts in tests get a fixed size instead.
if (typeof window !== 'undefined' && !window.ResizeObserver) {
  window.ResizeObserver = class ResizeObserver {
    observe() {
      return undefined;
    }
    unobserve() {
      return undefined;
    }
    disconnect() {
      return undefined;
    }
  };
}
// jsdom lacks the encoding and compression streams browsers have (the capture page's share link uses them).
if (typeof window !== 'undefined' && typeof globalThis.CompressionStream === 'undefined') {
  const { TextEncoder, TextDecoder } = require('node:util');
  const { CompressionStream, DecompressionStream } = require('node:stream/web');
  Object.assign(globalThis, { TextEncoder, TextDecoder, CompressionStream, DecompressionStream });
}
// findBy*/waitFor wait for what the component does asynchronously (compression, fetch); on a busy
// 2-core CI machine that takes longer than the library's 1 s default.
require('@testing-library/dom').configure({ asyncUtilTimeout: 5000 });
