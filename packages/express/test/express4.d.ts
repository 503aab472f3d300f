// Express 4 (installed as `express4`) for the compatibility test; typed with the Express 5 types the
// test uses anyway, since the adapter only relies on what both majors share.
declare module 'express4' {
  import express from 'express';
  export default express;
}
