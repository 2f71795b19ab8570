/** `workloads`: Demo and application workloads. */
import { Component } from '../schema-helpers';

export const Workloads = Component('Demo and application workloads.', 'coco-demo', {});
