export * from './labels';
export * from './nce';
export * from './jsd';
export * from './cross-entropy';
export * from './registry';
export * from './kd';
