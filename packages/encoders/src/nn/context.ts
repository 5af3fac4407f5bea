/** Per-call forward context shared by all layers of one forward pass. */
export interface ForwardContext {
  /** BatchNorm uses batch statistics and updates its running statistics when true. */
  readonly training: boolean;
}
