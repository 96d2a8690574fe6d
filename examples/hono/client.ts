/** The checks do not depend on the framework serving the route: see ../node-http/client.ts. */
import "../node-http/client.js";
