export const hydraProvider = undefined;
