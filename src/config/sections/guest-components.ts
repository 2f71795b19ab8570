/** `guestComponents`: Guest-components node installer (attestation-agent, confidential-data-hub, ctd-decoder). */
import { Component } from '../schema-helpers';

export const GuestComponents = Component('Guest-components node installer (attestation-agent, confidential-data-hub, ctd-decoder).', 'coco-guest-components', {});
