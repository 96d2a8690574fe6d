// Express 4 is installed as "express4" to run the conformance suite on both majors; same API.
declare module "express4" {
  import express from "express";
  export default express;
}
