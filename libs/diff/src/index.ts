export * from './fact-diff';
