/**
 * The script every certify engine evaluates (esbuild bundles it to one IIFE): it exposes runCertify on
 * the global object, and the hook installer the native engine hands the addon's kernels to (Node only:
 * the other engines never call it). Engines differ only in who calls what.
 */
import { installNativeKernels } from '../repops/kernels/native-install.ts';
import { runCertify } from './engine.ts';

const g = globalThis as {
  __pinpointCertify?: typeof runCertify;
  __pinpointInstallNative?: typeof installNativeKernels;
};
g.__pinpointCertify = runCertify;
g.__pinpointInstallNative = installNativeKernels;
