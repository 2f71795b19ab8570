/** `kbs`: Trustee Key Broker Service. */
import { Component } from '../schema-helpers';

export const Kbs = Component('Trustee Key Broker Service.', 'coco-tenant', {});
