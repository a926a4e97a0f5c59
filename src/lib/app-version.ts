import pkg from "../../package.json";

/** The app's version from package.json, as the health checks report it (the same in the Worker and in Next.js). */
export const APP_VERSION: string = pkg.version;
