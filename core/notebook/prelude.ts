/**
 * The `pinpoint` module as seen by notebook cells (`import { … } from 'pinpoint'`). Bundled and
 * evaluated inside the sandbox, so it may only pull in browser-safe core modules. Namespaces mirror
 * core/ folders; display helpers are top-level names.
 */
import './prelude-globals.ts';

export * as hash from './prelude/hash.ts';
export * as repops from './prelude/repops.ts';
export { assert, chart, display, dispute, formatValue, graph, heatmap, ledger, markdown, setOutputSink, table, text } from './display.ts';
export { PINPOINT_VERSION } from '../version.ts';
