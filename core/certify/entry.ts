/**
 * The script every certify engine evaluates (esbuild bundles it to one IIFE): it exposes runCertify on
 * the global object. Nothing else — engines differ only in who calls it.
 */
import { runCertify } from './engine.ts';

(globalThis as { __pinpointCertify?: typeof runCertify }).__pinpointCertify = runCertify;
