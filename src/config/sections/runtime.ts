/** `runtime`: Kata/CoCo runtime classes and the Confidential Containers install. */
import { Component } from '../schema-helpers';

export const Runtime = Component('Kata/CoCo runtime classes and the Confidential Containers install.', 'confidential-containers-system', {});
