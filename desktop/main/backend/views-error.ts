/** An error of a views method, prefixed with the method's name (what the page shows). */
export class ViewsError extends Error {
  constructor(method: string, problem: string) {
    super(`${method}: ${problem}`);
    this.name = 'ViewsError';
  }
}
