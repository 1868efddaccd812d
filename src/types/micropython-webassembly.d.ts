/** The package ships no type definitions; board-worker.ts describes the parts it uses. */
declare module '@micropython/micropython-webassembly-pyscript';
