/** core/dispute's public API plus the RepOps trainer adapter (dispute over real training tasks). */
export * from '../../dispute/index.ts';
export { BundleTrace, bundleParty, repopsTask } from '../../dispute/repops-task.ts';
