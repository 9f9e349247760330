/**
 * The `pinpoint` module as seen by notebook cells (`import { train } from 'pinpoint'`, or the same
 * names as globals). Bundled and evaluated inside the sandbox, so it pulls in only browser-safe core
 * modules (never node-*.ts). Namespaces mirror the core/ folders; display helpers are top-level names.
 */
import './prelude-globals.ts';

export * as attacks from '../attacks/index.ts';
export * as proof from '../proof/index.ts';
export * as repops from '../repops/index.ts';
export * as train from '../train/index.ts';
export * as verify from '../verify/index.ts';
export { PINPOINT_VERSION } from '../version.ts';
export {
  assert,
  chart,
  display,
  dispute as showDispute,
  formatValue,
  graph,
  heatmap,
  ledger as showLedger,
  markdown,
  setOutputSink,
  showTranscript,
  table,
  text,
} from './display.ts';
export * as dispute from './prelude/dispute.ts';
export * as hash from './prelude/hash.ts';
export * as ledger from './prelude/ledger.ts';
