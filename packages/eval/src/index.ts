export * from './matrix';
export * from './recognition';
export * from './retrieval';
export * from './lbfgs';
export * from './probe';
export * from './semantic-gap';
