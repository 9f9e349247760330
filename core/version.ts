export const PINPOINT_VERSION = '0.1.0';
