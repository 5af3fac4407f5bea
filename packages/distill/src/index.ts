export * from './objectives/ccl';
