export * from '../../repops/tensor.ts';
export * from '../../repops/registry.ts';
export { REPOPS_SPEC_VERSION } from '../../repops/version.ts';
