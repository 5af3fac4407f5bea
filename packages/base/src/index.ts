export { gradientsRegistered } from './gradients';
