import type { LinearInit } from '@ccl/base';
import { identityLayout } from './layouts';
import type { ParameterStore } from './parameters';

/**
 * The init of @ccl/base's `Linear` for an encoder layer: the weight [out, in] and bias [out] are registered in
 * `store` (weight first, torch order) as trainable torch-layout parameters with torch's init
 * U(-1/sqrt(in), 1/sqrt(in)); the store allocates, seeds, loads and exports them.
 */
export function linearInStore(store: ParameterStore): LinearInit {
  return {
    allocate: ({ name, shape, bound }) => {
      const param = store.add({ name, torchShape: shape, layout: identityLayout, trainable: true, init: { kind: 'uniform', bound } });
      return () => param.variable;
    },
  };
}
