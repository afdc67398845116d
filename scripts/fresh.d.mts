/** Whether the checkout at `root` (a directory URL) has a dist/ built after every change under src/. */
export function distIsFresh(root: URL): boolean;
