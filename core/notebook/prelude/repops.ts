export * from '../../repops/registry.ts';
export * from '../../repops/tensor.ts';
export { REPOPS_SPEC_VERSION } from '../../repops/version.ts';
