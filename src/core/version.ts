declare const __GPT_VERSION__: string;

/** package.json's version, set by the build (build.mjs `define`); tests run the sources. */
export const VERSION = typeof __GPT_VERSION__ === 'string' ? __GPT_VERSION__ : '0.0.0-dev';
