// elfy ships no types; we use only its parse().
declare module "elfy" {
  const elfy: { parse(buffer: Buffer): unknown };
  export default elfy;
}
