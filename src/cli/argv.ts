/**
 * Reading argv before commander is loaded (the entry point decides on it what
 * to start early).
 */

/** The first argument that is not an option (`process.argv` layout), or null: the command word when it names a command. */
export function firstWord(argv: readonly string[]): string | null {
  for (let i = 2; i < argv.length; i++) if (!argv[i]!.startsWith('-')) return argv[i]!;
  return null;
}
