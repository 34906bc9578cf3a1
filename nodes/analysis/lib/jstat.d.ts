// jstat ships no type declarations; it is only used as an independent cross-check in tests.
declare module 'jstat';
