// The module arrows of ARCHITECTURE-GUIDE.md §1, enforced by test/architecture.test.ts.
// A module may import what its arrows reach (directly or through other modules) and nothing else.
// Deviation: catalog/model.ts holds plain data types (tables, columns, indexes) that plans carry,
// so expr/ and exec/ may import that one file (types only) although they sit below catalog/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'core-is-a-leaf', severity: 'error', comment: 'core/ imports nothing else from the project',
      from: { path: '^core/' }, to: { path: '^(expr|catalog|planner|exec|dataflow|storage|connectors|server)/' } },
    { name: 'expr-below-planner', severity: 'error', comment: 'expr/ is the IR hub: core only (and catalog model types)',
      from: { path: '^expr/' }, to: { path: '^(planner|exec|dataflow|storage|connectors|server)/|^catalog/(?!model\\.ts$)' } },
    { name: 'catalog-below-planner', severity: 'error', comment: 'catalog/ imports expr and core only',
      from: { path: '^catalog/' }, to: { path: '^(planner|exec|dataflow|storage|connectors|server)/' } },
    { name: 'planner-emits-data', severity: 'error', comment: 'planner/ never imports exec, dataflow, storage or server',
      from: { path: '^planner/' }, to: { path: '^(exec|dataflow|storage|connectors|server)/' } },
    { name: 'exec-not-planner', severity: 'error', comment: 'exec/ imports expr, storage and core (and catalog model types)',
      from: { path: '^exec/' }, to: { path: '^(planner|dataflow|connectors|server)/|^catalog/(?!model\\.ts$)' } },
    { name: 'dataflow-not-planner', severity: 'error',
      from: { path: '^dataflow/' }, to: { path: '^(planner|exec|connectors|server)/|^catalog/(?!model\\.ts$)' } },
    { name: 'storage-on-core', severity: 'error', comment: 'storage/ imports core only',
      from: { path: '^storage/' }, to: { path: '^(expr|catalog|planner|exec|dataflow|connectors|server)/' } },
    { name: 'connectors-through-storage', severity: 'error',
      from: { path: '^connectors/' }, to: { path: '^(expr|catalog|planner|exec|dataflow|server)/' } },
    { name: 'pgwire-through-session-interface', severity: 'error', comment: 'pgwire/ uses the Session seam (session/types.ts) only',
      from: { path: '^server/pgwire/' }, to: { path: '^(expr|catalog|planner|exec|dataflow|storage|connectors)/|^server/session/(?!types\\.ts$)' } },
    { name: 'no-libpg-query-ast-outside-planner', severity: 'error', comment: 'the libpg-query AST never leaves planner/',
      from: { path: '^(core|expr|catalog|exec|dataflow|storage|connectors|server)/' }, to: { path: '@pgsql/types|libpg-query|pgsql-deparser' } },
    { name: 'no-circular', severity: 'warn', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/|\\.test\\.ts$|^test/|^bench/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
