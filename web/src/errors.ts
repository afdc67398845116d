/** How an error reads in the page: a user error is the CLI's line (`dnnergy: <SpecError.message>`). */
export interface PageError { readonly message: string; readonly user: boolean }

/** By name, not class: an error that crossed from a worker keeps its name but not its class. */
export function errorMessage(e: unknown): PageError {
  if (e instanceof Error && (e.name === 'SpecError' || e.constructor?.name === 'SpecError')) return { message: `dnnergy: ${e.message}`, user: true };
  if (e instanceof Error && typeof (e as { file?: unknown }).file === 'string' && typeof (e as { expected?: unknown }).expected === 'string') return { message: `dnnergy: ${e.message}`, user: true };
  return { message: `dnnergy: internal error (please report): ${e instanceof Error ? e.message : String(e)}`, user: false };
}
