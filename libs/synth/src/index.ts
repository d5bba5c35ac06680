export * from './seeded-random';
export * from './calico-tables';
export * from './synthetic-cluster';
export * from './synthetic-faults';
