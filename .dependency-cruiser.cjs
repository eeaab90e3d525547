/**
 * Cascade's layering (style.md rule 4): soap/http/cli → services → repositories → entities, with domain/ and
 * lib/ at the centre. `npm run depcheck` fails on any violation. Type-only imports count as dependencies.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A cycle makes two modules one; cut it.', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ imports only domain/ and lib/ of ours.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/(domain|lib)/' },
    },
    {
      name: 'domain-no-frameworks',
      severity: 'error',
      comment: 'domain/ knows no database, transport or web framework.',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['npm'], path: '(^|/)node_modules/(typeorm|express|soap|pg)/' },
    },
    {
      name: 'lib-imports-nothing-ours',
      severity: 'error',
      comment: 'lib/ holds generic helpers.',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'entities-inward',
      severity: 'error',
      comment: 'entities/ import only entities/, domain/ and lib/.',
      from: { path: '^src/entities/' },
      to: { path: '^src/', pathNot: '^src/(entities|domain|lib)/' },
    },
    {
      name: 'repositories-inward',
      severity: 'error',
      comment: 'Repositories never reach out to use cases or transports.',
      from: { path: '^src/repositories/' },
      to: { path: '^src/(services|soap|http|cli|jobs|clients)/' },
    },
    {
      name: 'services-no-transport',
      severity: 'error',
      comment: 'Services never import soap/, http/, cli/ or jobs/.',
      from: { path: '^src/services/' },
      to: { path: '^src/(soap|http|cli|jobs)/' },
    },
    {
      name: 'services-no-web-frameworks',
      severity: 'error',
      comment: 'Services never import express or node-soap.',
      from: { path: '^src/services/' },
      to: { dependencyTypes: ['npm'], path: '(^|/)node_modules/(express|soap)/' },
    },
    {
      name: 'src-never-imports-test',
      severity: 'error',
      comment: 'Production code does not depend on tests.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
