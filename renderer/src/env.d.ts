// Vite bundles CSS imported for its side effects (main.tsx imports the stylesheet).
declare module '*.css';
