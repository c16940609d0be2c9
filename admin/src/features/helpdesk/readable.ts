import type { CSSProperties } from 'react';

/**
 * WCAG AA text contrast inside the Unlock Account dialog (a portal, outside the app shell's styles): dimmed text
 * (input descriptions, gray.6 3.3:1) becomes gray.7, the filled primary (white on indigo.6, 4.3:1) indigo.8 (5.7:1),
 * text on the light primary tint indigo.9.
 */
export const readableModalStyles = {
  content: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-primary-color-filled': 'var(--mantine-color-indigo-8)',
    '--mantine-primary-color-filled-hover': 'var(--mantine-color-indigo-9)',
    '--mantine-primary-color-light-color': 'var(--mantine-color-indigo-9)',
  } as CSSProperties,
};

/** Alert titles in the alert's own colour are too light on its tint (orange/yellow); dark titles read at AA. */
export const readableAlert = { title: { color: 'var(--mantine-color-gray-9)' } };
