// What bin/apikit.js loads: the bundle's single entry (see scripts/bundle.js).
export { main } from './cli.js';
export { systemEnv, systemIO } from './io/system.js';
