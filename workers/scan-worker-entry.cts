/**
 * The file piscina loads for the unbundled (dist/) scan worker: CommonJS,
 * handing piscina the ES-module worker through a dynamic import.
 *
 * piscina loads a worker file with require() first. For an ES module, Node
 * 20.19 and later then take the require()-of-ES-module path, which aborted
 * the whole process here twice (an assertion in the module loader while a
 * worker loaded: "CreateRequiredModuleFacade"). A dynamic import is the
 * ordinary ES-module loader. piscina takes a module whose default export is
 * a promise of the handler (a CommonJS module's exports are its default).
 * (The bundle's worker, bundle/workers/scan.worker.cjs, is CommonJS itself.)
 */
const handler: Promise<unknown> = import('./scan.worker.js').then((m: { default: unknown }) => m.default);
export = handler;
