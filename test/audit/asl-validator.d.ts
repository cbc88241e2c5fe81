/** asl-validator ships no type declarations: the one call the tests make. */
declare module 'asl-validator' {
  const validator: (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => { isValid: boolean; errors: unknown[] };
  export default validator;
}
