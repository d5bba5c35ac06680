export * from './cluster-seeder';
export * from './seed-arguments';
export { runSeedCli, describeFailures } from './seed-cli';
