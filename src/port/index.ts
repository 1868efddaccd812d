/** Port specs (`--port`, `device.port`), the emulator-name rule and flash folder, and opening the board a spec names. */
export { parsePort, checkEmulatorName, emulatorNameProblem, emulatorNameIn, EMULATOR_NAME_RULE, DEFAULT_EMULATOR_NAME, type PortSpec } from './spec.js';
export { emulatorDir, emulatorHome, userDataDir, type EmulatorPlace, type UserDataFacts } from './emulator-dir.js';
export { openTransport, autoPort, type OpenOptions } from './open.js';
