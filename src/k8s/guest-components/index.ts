import type { ComponentBuilder } from '../component-builder';

/** Builds the guest-components node installer component. */
export const buildGuestComponents: ComponentBuilder = () => {
  // Filled in by the component's issue; until then the component renders only its Namespace.
};
