/** `kbs`: Trustee Key Broker Service. */
import { Type } from '@sinclair/typebox';
import { Component, EXPECTED_KEYWORD } from '../schema-helpers';

export const Kbs = Component('Trustee Key Broker Service.', 'coco-tenant', {
  serviceClusterIP: Type.String({
    pattern: '^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$',
    default: '10.96.0.80',
    [EXPECTED_KEYWORD]: 'an IPv4 address inside the service CIDR',
    description: 'Fixed ClusterIP of the KBS Service, so node-level clients (no cluster DNS) reach it by address. Must lie inside infrastructure.network.serviceCidr.',
  }),
});
