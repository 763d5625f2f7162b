/**
 * The name of the model this project trains and ships (public/models/<name>/): the one place it
 * is written. The site loads it by default; `npm run train:bundled` writes it.
 */
export const BUNDLED_MODEL = 'gutenberg-4m';
