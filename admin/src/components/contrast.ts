import type { CSSProperties } from 'react';

/**
 * WCAG AA text contrast on white, scoped to the signed-in shell and to dialogs (portals): Mantine's `dimmed`
 * (gray.6, 3.3:1; used for input descriptions) becomes gray.7 (8.2:1), white on the filled primary (indigo.6, 4.3:1)
 * becomes indigo.8 (5.7:1), text on the light primary tint (active navigation) indigo.9 (6.0:1), and field errors
 * red.9 (5.5:1) instead of red.6 (3.3:1).
 */
export const readableText = {
  '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
  '--mantine-color-error': 'var(--mantine-color-red-9)',
  '--mantine-primary-color-filled': 'var(--mantine-color-indigo-8)',
  '--mantine-primary-color-filled-hover': 'var(--mantine-color-indigo-9)',
  '--mantine-primary-color-light-color': 'var(--mantine-color-indigo-9)',
} as CSSProperties;

/** Alert titles drawn in the alert's colour are too light on its tint (yellow 1.8:1); dark titles read at AA. */
export const readableAlert = { title: { color: 'var(--mantine-color-gray-9)' } };

/**
 * Colours of an event's outcome (audit table badges, history timeline and text) that read at AA both as text on white
 * (and on striped rows) and as white text on a filled badge. Mantine's green.9 (4.4:1) and orange.9 (4.3:1) do not.
 */
export const OUTCOME_COLOR: Record<'success' | 'failure' | 'refused' | 'requested' | 'locked', string> = {
  success: 'teal.9',
  failure: 'red.9',
  refused: 'grape.9',
  requested: 'blue.9',
  locked: 'gray.8',
};

/** For dialogs: Modal `styles` that apply readableText inside the portal. */
export const readableModal = { content: readableText };
